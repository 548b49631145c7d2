"""Shopify side effects, driven from the outbox (invariant 4).

A service writes an outbox item in the same transaction as the change that needs it; after the
commit the item is enqueued. The job performs it with an idempotency key, so a crash between the
commit and the call, or between the call and the commit that marks it done, neither loses nor
doubles it: the sweep re-runs pending items and each effect finds its own earlier result.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from plugin import clock
from plugin.database.idempotent import insert_once
from plugin.extensions import db
from plugin.models import OutboxItem, Shop

log = logging.getLogger(__name__)

# Who enqueues a committed item: the jobs layer installs its enqueue at app start
# (``plugin.jobs.init_jobs``); the outbox sits below the jobs and does not import them. Until one is
# installed (a script without an app), committed items wait for the sweep.
_enqueue: Callable[[int], None] | None = None

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
    """Write the side effect once per key; it is enqueued when the transaction commits through
    ``commit()`` below (or found by the sweep). ``not_before``: not performed before then."""
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
        db.session.info.setdefault("outbox_new", []).append(item_id)
    return item_id


def set_enqueue(enqueue: Callable[[int], None] | None) -> None:
    """Install what enqueues an outbox item's id once its transaction has committed."""
    global _enqueue
    _enqueue = enqueue


def commit() -> None:
    """Commit the unit of work, then enqueue the outbox items it wrote."""
    new_items: list[int] = db.session.info.pop("outbox_new", [])
    db.session.commit()
    if new_items and _enqueue is not None:
        for item_id in new_items:
            _enqueue(item_id)


def rollback() -> None:
    db.session.info.pop("outbox_new", None)
    db.session.rollback()


def backoff(attempts: int, retry_after: float | None) -> timedelta:
    seconds = min(2 ** max(attempts - 1, 0), 600)
    if retry_after:
        seconds = max(seconds, retry_after)
    return timedelta(seconds=seconds)


# A shop whose refresh token is dead: its items look again this often (no Shopify request is made
# while the shop is marked), and at once when the merchant's next open renews the token.
REAUTHORIZATION_WAIT = timedelta(hours=1)


def release_waiting(shop_id: int) -> None:
    """The shop has a token again: its pending items are due now, enqueued by ``commit()``."""
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
    db.session.info.setdefault("outbox_new", []).extend(ids)


def due_items(limit: int = 500) -> list[int]:
    stmt = (
        select(OutboxItem.id)
        .where(OutboxItem.state == "pending", OutboxItem.next_attempt_at <= clock.now())
        .order_by(OutboxItem.next_attempt_at)
        .limit(limit)
    )
    return list(db.session.execute(stmt).scalars())
