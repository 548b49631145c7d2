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
from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from plugin import clock, outbox
from plugin.benefits import returns
from plugin.effects import EFFECTS
from plugin.extensions import db
from plugin.jobs import deliveries
from plugin.jobs import queue as job_queues
from plugin.jobs.periodic import run_periodic
from plugin.jobs.queue import RedisQueue, init_queue, job_queue
from plugin.models import OutboxItem, Shop, WebhookEvent
from plugin.shopify import admin_api
from plugin.shopify.client import AdminApiError, AdminUnauthorized
from plugin.shops.compliance import ERASED_BODY, secure_erase_checkpoint, without_redacted

log = logging.getLogger(__name__)

WEBHOOK_MAX_ATTEMPTS = 8
DRAIN_BATCH = 50  # ids popped at once: one round trip per batch, few enough to lose none if killed
DRAIN_SECONDS = 20.0  # then a successor queues behind other jobs (and well inside rq's timeout)

# Set when the worker is asked to stop (``flask worker`` on SIGTERM): a drainer hands the stream to
# a successor after the event in hand instead of running out its time, so a deploy or a restart
# does not wait on it.
stop_draining = threading.Event()


def _locked(model: type, row_id: int):
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


def process_webhook(event_id: int) -> str:
    """Apply one recorded delivery through its topic's handler, exactly once."""
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
        # A body erased by a redaction (or purged after its retention) has nothing left to apply;
        # a redacted customer's personal data is taken out of later deliveries (the tombstone).
        received = None if event.body == ERASED_BODY else json.loads(event.body)
        payload = None if received is None else without_redacted(shop, topic, received)
        if payload is not received:  # the person was erased: their delivery is not kept either
            event.body = ERASED_BODY
        if payload is not None:
            handler(shop, payload)
        if topic == "shop/redact" and not shop.installed:  # the event row went with the shop's data
            outbox.commit()
            secure_erase_checkpoint()
            return "processed"
        event.state = "processed"
        event.attempts += 1
        event.processed_at = clock.now()
        event.error = None
        outbox.commit()
        if topic == "customers/redact":
            secure_erase_checkpoint()
    except Exception as exc:
        outbox.rollback()
        _record_failure(event_id, exc)
        log.exception("webhook %s (%s, %s) failed", event_id, topic, shop_domain)
        raise
    if topic == "app/uninstalled":
        forget_shop(shop_domain)
    return "processed"


def drain_webhooks(slot: int = 0) -> int:
    """Process the deliveries the receiver pushed onto the webhook stream, in batches, until it
    is empty or this drainer has run its time (``plugin.jobs.queue`` explains the stream).

    Each event still gets its own transaction: one bad payload fails alone, recorded on its row and
    retried by the sweep, and never holds up the rest of the batch.
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
        for index, event_id in enumerate(event_ids):
            try:
                process_webhook(event_id)
            except Exception:  # recorded on the event and logged by process_webhook
                db.session.rollback()
            done += 1
            if stop_draining.is_set():  # the ids not reached go back to the head of the stream
                queue.give_back(event_ids[index + 1 :])
                break
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
    event.attempts += 1
    event.error = failure_text(exc)
    # A payload that fails every time stops being retried; it stays visible to the operator.
    event.state = "failed" if event.attempts >= WEBHOOK_MAX_ATTEMPTS else "received"
    db.session.commit()


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
    shop = db.session.get(Shop, item.shop_id)
    effect = EFFECTS[item.kind]
    try:
        if shop is None or not shop.installed:
            raise outbox.PermanentFailure("shop_uninstalled")
        client = admin_api.admin_client(shop) if effect.needs_admin else None
        result = effect.perform(shop, dict(item.payload), client)
    except outbox.PermanentFailure as exc:
        _fail(item, shop, effect, str(exc))
        outbox.commit()
        return "failed"
    except admin_api.ReauthorizationNeeded as exc:
        # Not the item's failure, and no attempt spent: it waits for the merchant's next open of
        # the app (which makes it due at once) and meanwhile looks again now and then.
        item.last_error = failure_text(exc)
        item.next_attempt_at = clock.now() + outbox.REAUTHORIZATION_WAIT
        outbox.commit()
        return "waiting"
    except AdminApiError as exc:
        item.attempts += 1
        item.last_error = failure_text(exc)
        unauthorized = isinstance(exc, AdminUnauthorized) and shop is not None
        if unauthorized:
            # A 401 says the access token is gone (expired early, rotated elsewhere), not that the
            # item is wrong: the next attempt refreshes first; a dead refresh token then waits.
            admin_api.distrust_access_token(shop)  # type: ignore[arg-type]
        if (not exc.transient and not unauthorized) or item.attempts >= outbox.MAX_ATTEMPTS:
            _fail(item, shop, effect, item.last_error)
            outbox.commit()
            return "failed"
        delay = outbox.backoff(item.attempts, exc.retry_after)
        item.next_attempt_at = clock.now() + delay
        outbox.commit()
        job_queue().enqueue_in(delay, run_outbox_item, item_id, queue="outbox")
        return "retry"
    item.state = "done"
    item.attempts += 1
    item.done_at = clock.now()
    item.result = result
    item.last_error = None
    effect.on_success(shop, item, result)
    outbox.commit()
    return "done"


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


def enqueue_outbox_item(item_id: int) -> None:
    """Run a committed outbox item soon (the outbox calls it when its transaction commits)."""
    job_queue().enqueue(run_outbox_item, item_id, queue="outbox", job_id=f"outbox-{item_id}")


def init_jobs(app: Flask) -> None:
    """At app start: the app's queue, the jobs it starts by itself, and the outbox's enqueue."""
    init_queue(app)
    job_queues.jobs = sys.modules[__name__]
    outbox.set_enqueue(enqueue_outbox_item)
    returns.request_delivery_lookup = deliveries.request_delivery_lookup
