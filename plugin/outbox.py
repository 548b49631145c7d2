"""Shopify side effects, driven from the outbox (invariant 4).

A service writes an outbox item in the same transaction as the change that needs it; once that
transaction commits, whoever commits it, the item is enqueued (``plugin.database.transaction``'s
after-commit hook; nothing is enqueued after a rollback). The job performs it with an idempotency
key, so a crash between the commit and the call, or between the call and the commit that marks it
done, neither loses nor doubles it: the sweep re-runs pending items and each effect finds its own
earlier result.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select, update

from plugin import clock
from plugin.database import transaction
from plugin.database.idempotent import insert_many_once, insert_once
from plugin.extensions import db
from plugin.models import OutboxItem, Shop

log = logging.getLogger(__name__)

# Who enqueues a committed item: the jobs layer installs its enqueue at app start
# (``plugin.jobs.init_jobs``); the outbox sits below the jobs and does not import them. Until one is
# installed (a script without an app), committed items wait for the sweep.
_enqueue: Callable[[list[int], list[tuple[int, datetime]]], None] | None = None


class EffectKind(StrEnum):
    """Every kind of outbox item, in one place below all that write them (``add()`` and the
    members import's bulk insert) and the table that performs them (``plugin.effects.EFFECTS``).
    Stored and queried as the plain ``.value``: a database driver may write an enum by its name."""

    DISCOUNT_CODE_CREATE = "discount_code.create"
    DISCOUNT_CODE_DEACTIVATE = "discount_code.deactivate"
    EMAIL = "email.send"
    FLOW_TRIGGER = "flow.trigger"
    CUSTOMER_METAFIELDS = "customer.metafields"
    REFUND = "refund.create"
    STORE_CREDIT = "store_credit.credit"
    STORE_CREDIT_REWARD = "store_credit.reward"
    STORE_CREDIT_CLAW_BACK = "store_credit.claw_back"
    ORDER_TAG = "order.tag"
    FREE_SHIPPING = "tier_perk.free_shipping"
    FREE_SHIPPING_END = "tier_perk.free_shipping_end"


MAX_ATTEMPTS = 12  # with back-off capped at 10 minutes: about an hour of Shopify trouble


@dataclass(frozen=True)
class Effect:
    """What one kind of side effect does: perform it at Shopify, then record success or failure.

    ``perform(shop, payload, client)`` returns a JSON-able result or raises ``PermanentFailure``
    (an answer that will not change) or an ``AdminApiError`` (transient ones are retried).
    ``on_success``/``on_failure`` run in the transaction that marks the item done/failed.
    """

    perform: Callable[[Shop, dict[str, Any], Any], dict[str, Any]]
    on_success: Callable[[Shop, OutboxItem, dict[str, Any]], None] = lambda shop, item, result: None
    on_failure: Callable[[Shop, OutboxItem, str], None] = lambda shop, item, reason: None
    # False for effects that never call the Admin API (an email): no token is looked up for them.
    needs_admin: bool = True
    # Several items of one shop in one call (``perform_many(shop, payloads, client)``): a result
    # or a ``PermanentFailure`` per payload, in order; raises as ``perform`` does for a failure of
    # the whole call. None: each item is performed alone.
    perform_many: (
        Callable[[Shop, list[dict[str, Any]], Any], list[dict[str, Any] | PermanentFailure]] | None
    ) = None


class PermanentFailure(Exception):
    """Shopify refused for good (a userErrors answer that will not change)."""


def add(
    shop_id: int,
    kind: str,
    idempotency_key: str,
    payload: dict[str, Any],
    *,
    not_before: datetime | None = None,
) -> int | None:
    """Write the side effect once per key; it is enqueued when the transaction commits (or found
    by the sweep). ``not_before``: not performed before then."""
    item_id = insert_once(
        OutboxItem,
        {
            "shop_id": shop_id,
            "kind": kind,
            "idempotency_key": idempotency_key,
            "payload": payload,
            "state": "pending",
            "attempts": 0,
            "next_attempt_at": not_before or clock.now(),
            "created_at": clock.now(),
        },
        ["shop_id", "idempotency_key"],
    )
    if item_id is not None:
        if not_before is not None and not_before > clock.now():
            # Not due yet: scheduled for its moment rather than run now only to find it early.
            transaction.after_commit(_enqueue_committed, [], [(item_id, not_before)])
        else:
            transaction.after_commit(_enqueue_committed, [item_id], [])
    return item_id


@dataclass(frozen=True)
class NewItem:
    """A side effect for ``add_many``: ``add``'s arguments."""

    shop_id: int
    kind: str
    idempotency_key: str
    payload: dict[str, Any]
    not_before: datetime | None = None


def add_many(items: list[NewItem]) -> list[int]:
    """``add`` for many items in one statement: each written once per key (the first of a key
    given twice), enqueued when the transaction commits; the ids of those written."""
    now = clock.now()
    rows, seen = [], set()
    for item in items:
        if (item.shop_id, item.idempotency_key) in seen:
            continue
        seen.add((item.shop_id, item.idempotency_key))
        rows.append(
            {
                "shop_id": item.shop_id,
                "kind": item.kind,
                "idempotency_key": item.idempotency_key,
                "payload": item.payload,
                "state": "pending",
                "attempts": 0,
                "next_attempt_at": item.not_before or now,
                "created_at": now,
            }
        )
    written = insert_many_once(
        OutboxItem,
        rows,
        ["shop_id", "idempotency_key"],
        ["id", "shop_id", "idempotency_key", "next_attempt_at"],
    )
    soon = [item_id for item_id, _, _, due in written if due <= now]
    later = [(item_id, due) for item_id, _, _, due in written if due > now]
    if soon or later:
        transaction.after_commit(_enqueue_committed, soon, later)
    return [item_id for item_id, _, _, _ in written]


Enqueue = Callable[[list[int], list[tuple[int, datetime]]], None]


def set_enqueue(enqueue: Enqueue | None) -> None:
    """Install what hands committed outbox items to the job queue: ids to run soon, and (id, due)
    pairs to run at their moment (the jobs layer does, at app start; the outbox sits below the
    jobs and does not import them)."""
    global _enqueue
    _enqueue = enqueue


def enqueue(item_ids: list[int], later: list[tuple[int, datetime]] | None = None) -> None:
    """Hand committed items to the job queue; with no queue installed the sweep finds them."""
    if _enqueue is not None and (item_ids or later):
        _enqueue(item_ids, list(later or ()))


def _enqueue_committed(calls: list[tuple[list[int], list[tuple[int, datetime]]]]) -> None:
    # One call for all the items a commit wrote: one round trip to the queue.
    item_ids = [item_id for ids, _ in calls for item_id in ids]
    later = [pair for _, pairs in calls for pair in pairs]
    enqueue(item_ids, later)  # looked up when the commit happens, so it can be re-wired


transaction.collect(_enqueue_committed)


def leave_to_sweep() -> None:
    """The items written so far in this transaction are not enqueued on commit: a worker (or a
    test playing one) runs them, or the sweep finds them."""
    transaction.forget_after_commit(_enqueue_committed)


def mark() -> tuple[int, int]:
    """Where the items written so far end: a savepoint's rollback forgets those after it."""
    info = db.session.info
    return len(info.get("outbox_new", ())), len(info.get("outbox_later", ()))


def forget_since(position: tuple[int, int]) -> None:
    """The items written after ``position`` were rolled back with their savepoint."""
    info = db.session.info
    for key, length in zip(("outbox_new", "outbox_later"), position, strict=True):
        if key in info:
            del info[key][length:]


def backoff(attempts: int, retry_after: float | None) -> timedelta:
    seconds = min(2 ** max(attempts - 1, 0), 600)
    if retry_after:
        seconds = max(seconds, retry_after)
    return timedelta(seconds=seconds)


# A shop whose refresh token is dead: its items look again this often (no Shopify request is made
# while the shop is marked), and at once when the merchant's next open renews the token.
REAUTHORIZATION_WAIT = timedelta(hours=1)


def release_waiting(shop_id: int) -> None:
    """The shop has a token again: its pending items are due now, enqueued on commit."""
    ids = list(
        db.session.execute(
            select(OutboxItem.id).where(
                OutboxItem.shop_id == shop_id, OutboxItem.state == "pending"
            )
        ).scalars()
    )
    if not ids:
        return
    db.session.execute(
        update(OutboxItem).where(OutboxItem.id.in_(ids)).values(next_attempt_at=clock.now())
    )
    transaction.after_commit(_enqueue_committed, ids, [])


def due_items(limit: int = 500) -> list[int]:
    stmt = (
        select(OutboxItem.id)
        .where(OutboxItem.state == "pending", OutboxItem.next_attempt_at <= clock.now())
        .order_by(OutboxItem.next_attempt_at)
        .limit(limit)
    )
    return list(db.session.execute(stmt).scalars())
