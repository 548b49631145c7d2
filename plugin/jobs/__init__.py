"""rq job functions: importable, take ids, idempotent, and let errors raise (rq's failed registry).

They run inside the app context the worker (``flask --app plugin worker``) pushes, or in-process
in the embedded default.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select, update

from plugin import clock, outbox
from plugin.benefits import returns
from plugin.database import batch, transaction
from plugin.database.sets import one_of
from plugin.effects import EFFECTS
from plugin.extensions import db
from plugin.jobs import deliveries
from plugin.jobs import queue as job_queues
from plugin.jobs.periodic import run_periodic
from plugin.jobs.queue import RedisQueue, init_queue, job_queue
from plugin.members.compliance import ERASED_BODY, secure_erase_checkpoint, without_redacted
from plugin.models import OutboxItem, Shop, WebhookEvent
from plugin.points import order_batch
from plugin.shopify import admin_api
from plugin.shopify.client import AdminApiError, AdminUnauthorized
from plugin.shopify.operations import MAX_ALIASED

log = logging.getLogger(__name__)

WEBHOOK_MAX_ATTEMPTS = 8
DRAIN_BATCH = 50  # ids popped at once: one round trip per batch, few enough to lose none if killed
DRAIN_SECONDS = 20.0  # then a successor queues behind other jobs (and well inside rq's timeout)

# Set when the worker is asked to stop (``flask worker`` on SIGTERM): a drainer hands the stream to
# a successor after the event in hand instead of running out its time, so a deploy or a restart
# does not wait on it.
stop_draining = threading.Event()


def _locked(model: type[OutboxItem], row_id: int) -> OutboxItem | None:
    """The row locked for this job; None when another worker holds it (it is doing the work)."""
    stmt = select(model).where(model.id == row_id).with_for_update(skip_locked=True)
    return db.session.execute(stmt).scalar_one_or_none()


def _started_as_job(kind: str, row_id: int) -> None:
    """Running as the row's own rq job (the sweep's or the enqueue-on-commit's, not inside a
    drainer's batch): the sweep's lease on the row ends here (``JobQueue.sweep_claim``)."""
    from rq import get_current_job

    job = get_current_job()
    if job is not None and job.id == f"{kind}-{row_id}":
        job_queue().sweep_release(kind, row_id)


# Topics applied alone, in a transaction of their own, never inside a batch: the erasures end with
# a checkpoint that must follow their commit, and an uninstall forgets the receiver's cached shop
# after its commit. A batch commits what it has done before one of them and locks the rest again.
SOLO_TOPICS = frozenset(
    {"app/uninstalled", "customers/redact", "customers/data_request", "shop/redact"}
)


def _apply_event(event: WebhookEvent, shop: Shop, handler: Any) -> None:
    """The recorded delivery through its topic's handler (a redacted customer's data taken out)."""

    # A body erased by a redaction (or purged after its retention) has nothing left to apply;
    # a redacted customer's personal data is taken out of later deliveries (the tombstone).
    received = None if event.body == ERASED_BODY else json.loads(event.body)
    payload = None if received is None else without_redacted(shop, event.topic, received)
    if payload is not received:  # the person was erased: their delivery is not kept either
        event.body = ERASED_BODY
    if payload is not None:
        handler(shop, payload)


def _mark_processed(event: WebhookEvent) -> None:
    event.state = "processed"
    event.attempts += 1
    event.processed_at = clock.now()
    event.error = None


def process_webhook(event_id: int) -> str:
    """Apply one recorded delivery through its topic's handler, exactly once, in a transaction of
    its own (the sweep's jobs, the in-process queue, and the topics a batch leaves alone)."""
    _started_as_job("webhook", event_id)

    # The event locked (skipped when another worker holds it: it is doing the work) and its shop,
    # in one statement.
    row = db.session.execute(
        select(WebhookEvent, Shop)
        .outerjoin(Shop, Shop.id == WebhookEvent.shop_id)
        .where(WebhookEvent.id == event_id)
        .with_for_update(of=WebhookEvent, skip_locked=True)
    ).first()
    event, shop = row if row is not None else (None, None)
    if event is None or event.state == "processed":
        db.session.rollback()
        return "skipped"
    if shop is None:  # recorded just as shop/redact erased its shop: nothing may be kept for it
        db.session.delete(event)
        db.session.commit()
        return "skipped"
    # The receiver imports plugin.jobs.queue, and so runs this package first: the webhooks package
    # is imported when a job runs, not when this one loads.
    from webhooks import topics
    from webhooks.receiver import forget_shop

    handler = topics.handlers()[event.topic]
    topic, shop_domain = event.topic, shop.domain if shop else ""
    try:
        _apply_event(event, shop, handler)
        if topic == "shop/redact" and not shop.installed:  # the event row went with the shop's data
            db.session.commit()
            secure_erase_checkpoint()
            return "processed"
        _mark_processed(event)
        db.session.commit()
        if topic == "customers/redact":
            secure_erase_checkpoint()
    except Exception as exc:
        db.session.rollback()
        _record_failure(event_id, exc)
        log.exception("webhook %s (%s, %s) failed", event_id, topic, shop_domain)
        raise
    if topic == "app/uninstalled":
        forget_shop(shop_domain)
    return "processed"


def _lock_events(event_ids: list[int]) -> dict[int, tuple[WebhookEvent, Shop | None]]:
    """The events locked (those another worker holds are left out: it is doing the work) with
    their shops, in one statement."""
    rows = db.session.execute(
        select(WebhookEvent, Shop)
        .outerjoin(Shop, Shop.id == WebhookEvent.shop_id)
        .where(one_of(WebhookEvent.id, event_ids))
        .order_by(WebhookEvent.id)
        .with_for_update(of=WebhookEvent, skip_locked=True)
    ).all()
    return {event.id: (event, shop) for event, shop in rows}


def _read_for_batch(
    reads: dict[str, dict[Any, Any]], events: list[tuple[WebhookEvent, Shop]]
) -> dict[int, Any]:
    """The batch's shared reads in one statement each: which of its orders' customers are
    redacted, which a referral link sent, and the products their lines name
    (``plugin.database.batch``); the orders' bodies parsed, by event id."""
    from plugin.models import Product, RedactedCustomer, Referral
    from plugin.shopify.payloads import shopify_id

    customers: dict[int, set[str]] = {}
    products: dict[int, set[str]] = {}
    bodies: dict[int, Any] = {}
    for event, shop in events:
        if event.body == ERASED_BODY or not event.topic.startswith("orders/"):
            continue
        try:
            payload = json.loads(event.body)
        except ValueError:
            continue  # its own savepoint reports it
        bodies[event.id] = payload
        customer = payload.get("customer") if isinstance(payload, dict) else None
        if isinstance(customer, dict) and shopify_id(customer.get("id")):
            customers.setdefault(shop.id, set()).add(str(shopify_id(customer.get("id"))))
        for line in payload.get("line_items") or () if isinstance(payload, dict) else ():
            if isinstance(line, dict) and shopify_id(line.get("product_id")):
                products.setdefault(shop.id, set()).add(str(shopify_id(line.get("product_id"))))
    for shop_id, ids in customers.items():
        found = set(
            db.session.execute(
                select(RedactedCustomer.customer_id).where(
                    RedactedCustomer.shop_id == shop_id, one_of(RedactedCustomer.customer_id, ids)
                )
            ).scalars()
        )
        reads["redacted"].update({(shop_id, cid): cid in found for cid in ids})
        sent = set(
            db.session.execute(
                select(Referral.friend_customer_id).where(
                    Referral.shop_id == shop_id,
                    one_of(Referral.friend_customer_id, ids),
                    Referral.state == "visited",
                )
            ).scalars()
        )
        reads["referrals"].update({(shop_id, cid): cid in sent for cid in ids})
    for shop_id, ids in products.items():
        rows = {
            product.product_id: product
            for product in db.session.execute(
                select(Product).where(Product.shop_id == shop_id, one_of(Product.product_id, ids))
            ).scalars()
        }
        reads["products"].update({(shop_id, pid): rows.get(pid) for pid in ids})
    return bodies


def _solo(event_id: int) -> None:
    try:
        process_webhook(event_id)
    except Exception:  # recorded on the event and logged by process_webhook
        db.session.rollback()


def process_webhooks(event_ids: list[int], stop: threading.Event | None = None) -> int:
    """Apply a drained batch of deliveries in one transaction, with a savepoint per event; the
    number of ids reached (all of them unless ``stop`` was set after one).

    Each event's effects are written inside its savepoint and the applied events are marked
    processed in one statement; the one commit makes it all durable at once, so an event is still
    applied exactly once: its row stays locked until that commit, and a crash before it leaves every
    event of the batch ``received`` for the sweep. What every event would read alike (its customer's
    redaction, its lines' products) is read once for the batch. An event that fails rolls back to
    its savepoint alone (its failure recorded on its row, retried by the sweep on its own); the rest
    of the batch goes on. When the commit itself fails (the connection was lost, say), each event of
    the batch is applied again alone.
    """
    from webhooks.topics import handlers

    table = handlers()
    reached = 0
    while reached < len(event_ids):
        pending = event_ids[reached:]
        locked = _lock_events(pending)
        with batch.batch_reads() as reads:
            bodies = _read_for_batch(
                reads,
                [
                    (event, shop)
                    for event, shop in locked.values()
                    if shop is not None and event.state != "processed"
                ],
            )
            outcome = _apply_batch(pending, locked, table, stop, bodies)
        reached += outcome.reached
        if outcome.stopped:
            return reached
        if outcome.solo is not None:
            _solo(outcome.solo)
            reached += 1
            if stop is not None and stop.is_set():
                return reached
    return reached


@dataclass
class _Outcome:
    reached: int = 0
    stopped: bool = False
    solo: int | None = None


def _apply_batch(
    pending: list[int],
    locked: dict[int, tuple[WebhookEvent, Shop | None]],
    table: dict[str, Any],
    stop: threading.Event | None,
    bodies: dict[int, Any] | None = None,
) -> _Outcome:
    """One batch's transaction: runs of paid orders set-based (``_apply_paid_run``), each other
    event in its savepoint, the processed marks, the commit."""
    outcome = _Outcome()
    batch_ids: list[int] = []
    applied: list[int] = []
    failures: list[tuple[int, Exception]] = []
    bodies = bodies or {}
    position = 0
    read_after = 0  # the failures the batch's reads were last read after
    while position < len(pending):
        event_id = pending[position]
        event, shop = locked.get(event_id, (None, None))
        if event is not None and event.topic in SOLO_TOPICS:
            outcome.solo = event_id  # applied alone after this batch's commit
            break
        run = _paid_run(pending, position, locked, bodies, applied)
        if run:
            position += len(run)
            outcome.reached += len(run)
            batch_ids.extend(run)
            assert shop is not None
            if len(failures) > read_after:  # a failed savepoint dropped the batch's reads
                read_after = len(failures)
                rest = [locked[e] for e in pending[position - len(run) :] if e in locked]
                _read_for_batch(_batch_answers(), [(e, s) for e, s in rest if s is not None])
            left = _apply_paid_run(shop, run, bodies)
            applied.extend(event_id for event_id in run if event_id not in left)
            for event_id in left:
                failure = _apply_one(locked[event_id][0], shop, table)
                if failure is None:
                    applied.append(event_id)
                else:
                    failures.append((event_id, failure))
        else:
            position += 1
            outcome.reached += 1
            batch_ids.append(event_id)
            if event is None or event.state == "processed" or event_id in applied:
                pass  # another worker holds it or has done it, or it came twice in this batch
            elif shop is None:  # recorded just as shop/redact erased its shop: nothing is kept
                db.session.delete(event)
            else:
                failure = _apply_one(event, shop, table)
                if failure is None:
                    applied.append(event_id)
                else:
                    failures.append((event_id, failure))
        if stop is not None and stop.is_set():
            outcome.stopped = True
            break
    # A deadlock with another worker's batch (two batches naming the same customers in another
    # order) is no fault of the event: it is applied again alone once this batch has committed.
    again = [event_id for event_id, exc in failures if _lock_conflict(exc)]
    failures = [(event_id, exc) for event_id, exc in failures if event_id not in again]
    try:
        for event_id, error in failures:
            _note_failure(locked[event_id][0], error)
        if applied:  # every applied event marked processed in one statement, in its commit
            db.session.execute(
                update(WebhookEvent)
                .where(one_of(WebhookEvent.id, applied))
                .values(
                    state="processed",
                    attempts=WebhookEvent.attempts + 1,
                    processed_at=clock.now(),
                    error=None,
                )
                .execution_options(synchronize_session=False)
            )
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception(
            "a batch of %s webhook events failed to commit; applying each alone", len(batch_ids)
        )
        batch.forget()
        for event_id in batch_ids:
            _solo(event_id)
        return outcome
    for event_id in again:
        _solo(event_id)
    return outcome


def _apply_one(event: WebhookEvent, shop: Shop, table: dict[str, Any]) -> Exception | None:
    """One event through its handler in its savepoint; the failure, if it failed."""
    try:
        # The batch owns the transaction: a unit of work inside joins it, and a failed
        # savepoint takes the outbox items written in it along (plugin.database.transaction).
        with transaction.held(), transaction.savepoint():
            _apply_event(event, shop, table[event.topic])
    except Exception as exc:
        batch.forget()  # what it wrote may be in the batch's shared reads
        log.exception("webhook %s (%s, %s) failed", event.id, event.topic, shop.domain)
        return exc
    return None


def _batch_answers() -> dict[str, dict[Any, Any]]:
    answers = {kind: batch.known(kind) for kind in ("redacted", "products", "referrals")}
    return {kind: found for kind, found in answers.items() if found is not None}


def _paid_run(
    pending: list[int],
    position: int,
    locked: dict[int, tuple[WebhookEvent, Shop | None]],
    bodies: dict[int, Any],
    applied: list[int],
) -> list[int]:
    """The paid orders of one shop that follow one another from ``position`` (none when the event
    there is not one): the set-based path's run."""
    run: list[int] = []
    shop_id = None
    for event_id in pending[position:]:
        event, shop = locked.get(event_id, (None, None))
        if (
            event is None
            or shop is None
            or event.topic != order_batch.TOPIC
            or event.state == "processed"
            or event_id in applied
            or event_id in run
            or not isinstance(bodies.get(event_id), dict)
            or (shop_id is not None and shop.id != shop_id)
        ):
            break
        shop_id = shop.id
        run.append(event_id)
    return run


def _apply_paid_run(shop: Shop, run: list[int], bodies: dict[int, Any]) -> list[int]:
    """A run of paid orders set-based in one savepoint; the events left to the per-event path
    (all of them when the savepoint failed: a row written meanwhile by another worker, a value
    the database refused)."""
    try:
        with transaction.held(), transaction.savepoint():
            return order_batch.apply_paid_orders(
                shop, [(event_id, bodies[event_id]) for event_id in run]
            )
    except Exception as exc:
        log.info("a run of %s paid orders goes per event (%s)", len(run), failure_text(exc))
        return run


def _lock_conflict(exc: BaseException) -> bool:
    """A deadlock or a serialization failure: PostgreSQL's SQLSTATE 40P01 and 40001."""
    cause = getattr(exc, "orig", None)
    return getattr(cause, "sqlstate", None) in ("40P01", "40001")


def drain_webhooks(slot: int = 0) -> int:
    """Process the deliveries the receiver pushed onto the webhook stream, in batches, until it
    is empty or this drainer has run its time (``plugin.jobs.queue`` explains the stream).

    Each batch is one transaction with a savepoint per event (``process_webhooks``): one bad
    payload fails alone, recorded on its row and retried by the sweep, and never holds up the rest
    of the batch.
    """
    queue = job_queue()
    if not isinstance(queue, RedisQueue):
        return 0
    deadline = time.monotonic() + DRAIN_SECONDS
    done = 0
    while True:
        event_ids = queue.take_webhooks(slot, DRAIN_BATCH)
        if not event_ids:
            if queue.release_drain(slot):
                return done
            continue
        try:
            reached = process_webhooks(event_ids, stop_draining)
        except Exception:  # the events stay received: the sweep runs them
            db.session.rollback()
            log.exception("a batch of %s webhook events failed", len(event_ids))
            reached = len(event_ids)
        done += reached
        if reached < len(event_ids):  # the ids not reached go back to the head of the stream
            queue.give_back(event_ids[reached:])
        if time.monotonic() > deadline or stop_draining.is_set():
            queue.hand_over(slot)
            return done


def failure_text(exc: BaseException) -> str:
    """What a failure leaves on its row for the operator: the error without the values it names.
    The engine hides bound parameters; PostgreSQL's own DETAIL line still quotes the key's value
    ("Key (email_normalized)=(ann@example.com) already exists"), so that line is left out."""
    lines = [line for line in str(exc).splitlines() if not line.lstrip().startswith("DETAIL:")]
    return f"{type(exc).__name__}: {' '.join(lines)}"[:2000]


def _record_failure(event_id: int, exc: Exception) -> None:
    event = db.session.get(WebhookEvent, event_id)
    if event is None:
        return
    _note_failure(event, exc)
    db.session.commit()


def _note_failure(event: WebhookEvent, exc: Exception) -> None:
    event.attempts += 1
    event.error = failure_text(exc)
    # A payload that fails every time stops being retried; it stays visible to the operator.
    event.state = "failed" if event.attempts >= WEBHOOK_MAX_ATTEMPTS else "received"


def run_outbox_item(item_id: int) -> str:
    """Perform one Shopify side effect; transient failures are retried with back-off."""
    _started_as_job("outbox", item_id)
    item = _locked(OutboxItem, item_id)
    if item is None or item.state != "pending":
        db.session.rollback()
        return "skipped"
    if item.next_attempt_at > clock.now():
        db.session.rollback()
        return "not-due"
    (outcome,) = _perform([item])
    return outcome


def _perform(items: list[OutboxItem]) -> list[str]:
    """Perform locked, due items of one shop and kind, in one call to Shopify when there are
    several and the effect takes several (``Effect.perform_many``), mark each done, failed or
    due again, and commit; each item's outcome, in order."""
    first = items[0]
    shop = db.session.get(Shop, first.shop_id)
    effect = EFFECTS[first.kind]
    try:
        if shop is None or not shop.installed:
            raise outbox.PermanentFailure("shop_uninstalled")
        client = admin_api.admin_client(shop) if effect.needs_admin else None
        results: list[dict[str, Any] | outbox.PermanentFailure]
        if len(items) > 1 and effect.perform_many is not None:
            results = effect.perform_many(shop, [dict(item.payload) for item in items], client)
        else:
            results = [effect.perform(shop, dict(item.payload), client) for item in items]
    except outbox.PermanentFailure as exc:
        for item in items:
            _fail(item, shop, effect, str(exc))
        db.session.commit()
        return ["failed"] * len(items)
    except admin_api.ReauthorizationNeeded as exc:
        # Not the items' failure, and no attempt spent: they wait for the merchant's next open of
        # the app (which makes them due at once) and meanwhile look again now and then.
        for item in items:
            item.last_error = failure_text(exc)
            item.next_attempt_at = clock.now() + outbox.REAUTHORIZATION_WAIT
        db.session.commit()
        return ["waiting"] * len(items)
    except AdminApiError as exc:
        unauthorized = isinstance(exc, AdminUnauthorized) and shop is not None
        if unauthorized and shop is not None:
            # A 401 says the access token is gone (expired early, rotated elsewhere), not that the
            # item is wrong: the next attempt refreshes first; a dead refresh token then waits.
            admin_api.distrust_access_token(shop)
        outcomes, retry, delay = [], [], timedelta(0)
        for item in items:
            item.attempts += 1
            item.last_error = failure_text(exc)
            if (not exc.transient and not unauthorized) or item.attempts >= outbox.MAX_ATTEMPTS:
                _fail(item, shop, effect, item.last_error)
                outcomes.append("failed")
                continue
            wait = outbox.backoff(item.attempts, exc.retry_after)
            item.next_attempt_at = clock.now() + wait
            delay = max(delay, wait)
            retry.append(item.id)
            outcomes.append("retry")
        db.session.commit()
        if len(retry) == 1:
            job_queue().enqueue_in(delay, run_outbox_item, retry[0], queue="outbox")
        elif retry:
            job_queue().enqueue_in(delay, run_outbox_items, retry, queue="outbox")
        return outcomes
    outcomes = []
    for item, result in zip(items, results, strict=True):
        if isinstance(result, outbox.PermanentFailure):
            _fail(item, shop, effect, str(result))
            outcomes.append("failed")
            continue
        item.state = "done"
        item.attempts += 1
        item.done_at = clock.now()
        item.result = result
        item.last_error = None
        effect.on_success(shop, item, result)
        outcomes.append("done")
    db.session.commit()
    return outcomes


def run_outbox_items(item_ids: list[int]) -> dict[str, int]:
    """Run a commit's outbox items, each exactly as its own job (``run_outbox_item``) would: in a
    transaction of its own, with its own retries. Items of one shop and kind whose effect takes
    several at once (Flow triggers) are run together instead, up to ``MAX_ALIASED`` to one
    transaction and one call to Shopify. One that raises is left pending for the sweep; the rest
    go on. The outcomes counted."""
    outcomes: dict[str, int] = {}

    def count(outcome: str, times: int = 1) -> None:
        outcomes[outcome] = outcomes.get(outcome, 0) + times

    together = _grouped(item_ids)
    grouped = {item_id for group in together for item_id in group}
    for item_id in item_ids:
        if item_id in grouped:
            continue
        try:
            count(run_outbox_item(item_id))
        except Exception:
            db.session.rollback()
            log.exception("outbox item %s failed; the sweep runs it again", item_id)
            count("error")
    for group in together:
        try:
            for outcome in _run_group(group):
                count(outcome)
        except Exception:
            db.session.rollback()
            log.exception("outbox items %s failed; the sweep runs them again", group)
            count("error", len(group))
    return outcomes


def _grouped(item_ids: list[int]) -> list[list[int]]:
    """The items (not locked: a look) whose effect takes several at once, by shop and kind, up to
    ``MAX_ALIASED`` to a group, in the order given."""
    batched = [kind for kind, effect in EFFECTS.items() if effect.perform_many is not None]
    if len(item_ids) < 2 or not batched:
        return []
    rows = db.session.execute(
        select(OutboxItem.id, OutboxItem.shop_id, OutboxItem.kind).where(
            one_of(OutboxItem.id, item_ids),
            OutboxItem.kind.in_(batched),
            OutboxItem.state == "pending",
        )
    ).all()
    db.session.rollback()
    found = {item_id: (shop_id, kind) for item_id, shop_id, kind in rows}
    groups: dict[tuple[int, str], list[list[int]]] = {}
    for item_id in item_ids:
        key = found.get(item_id)
        if key is None:
            continue
        chunks = groups.setdefault(key, [[]])
        if len(chunks[-1]) == MAX_ALIASED:
            chunks.append([])
        chunks[-1].append(item_id)
    return [chunk for chunks in groups.values() for chunk in chunks if chunk]


def _run_group(item_ids: list[int]) -> list[str]:
    """``run_outbox_item`` for a group of one shop and kind: the rows another worker holds, or
    done meanwhile, are skipped; those not due yet wait; the rest are performed together."""
    now = clock.now()
    items = list(
        db.session.execute(
            select(OutboxItem)
            .where(one_of(OutboxItem.id, item_ids))
            .order_by(OutboxItem.id)
            .with_for_update(skip_locked=True)
        ).scalars()
    )
    ready = [item for item in items if item.state == "pending" and item.next_attempt_at <= now]
    not_due = sum(1 for item in items if item.state == "pending" and item.next_attempt_at > now)
    left = ["skipped"] * (len(item_ids) - len(ready) - not_due) + ["not-due"] * not_due
    if not ready:
        db.session.rollback()
        return left
    return _perform(ready) + left


def _fail(item: OutboxItem, shop: Shop | None, effect, reason: str) -> None:
    item.state = "failed"
    item.last_error = reason[:2000]
    if shop is not None:
        effect.on_failure(shop, item, reason)


def sweep(stuck_after: timedelta = timedelta(seconds=30)) -> dict[str, int]:
    """Heal what a lost enqueue or a dead worker left behind; run periodically (``flask clock``)."""
    from redis.exceptions import RedisError

    cutoff = clock.now() - stuck_after
    events = list(
        db.session.execute(
            select(WebhookEvent.id)
            .where(WebhookEvent.state == "received", WebhookEvent.received_at <= cutoff)
            .order_by(WebhookEvent.id)
            .limit(1000)
        ).scalars()
    )
    items = outbox.due_items()
    db.session.rollback()
    queue = job_queue()
    # Rows an earlier pass enqueued and no worker has reached yet are not enqueued again while
    # their lease lasts (SWEEP_LEASE_MS): a backlog is not multiplied by the passes it outlasts.
    events = queue.sweep_claim("webhook", events)
    items = queue.sweep_claim("outbox", items)
    for event_id in events:
        queue.enqueue(process_webhook, event_id, queue="webhooks", job_id=f"webhook-{event_id}")
    if isinstance(queue, RedisQueue):
        with suppress(RedisError):
            queue.kick_drain()
    for item_id in items:
        queue.enqueue(run_outbox_item, item_id, queue="outbox", job_id=f"outbox-{item_id}")
    periodic = run_periodic()
    return {"webhooks": len(events), "outbox": len(items), **periodic}


def enqueue_outbox_items(item_ids: list[int], later: list[tuple[int, datetime]]) -> None:
    """Run committed outbox items soon, and ``later`` ones at their moment, in one round trip to
    the queue (the outbox calls it when their transaction commits)."""
    job_queue().enqueue_outbox(item_ids, later)


def init_jobs(app: Flask) -> None:
    """At app start: the app's queue, the jobs it starts by itself, and the outbox's enqueue."""
    init_queue(app)
    job_queues.jobs = sys.modules[__name__]
    outbox.set_enqueue(enqueue_outbox_items)
    returns.request_delivery_lookup = deliveries.request_delivery_lookup
