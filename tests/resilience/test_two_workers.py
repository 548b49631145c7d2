"""Two worker processes drain one webhook stream: every event is applied exactly once.

The same event id reaches both workers on purpose (pushed onto the stream twice, and enqueued as an
rq job too, as a sweep racing a drainer would), besides Shopify's own duplicates (a retried
delivery, the same order under a new delivery). Needs PostgreSQL and Redis shared with the workers.
"""

from __future__ import annotations

import random
import time
import uuid
from collections import Counter

import pytest
from sqlalchemy import func, select

from plugin import ledger
from plugin.extensions import db
from plugin.jobs import process_webhook
from plugin.jobs.queue import WEBHOOK_STREAM
from plugin.models import PointEntry, Wallet, WebhookEvent
from plugin.shops.products import upsert_product
from tests import payloads
from tests.resilience.conftest import deliver_with, needs_postgres_and_redis, wait_until

pytestmark = [pytest.mark.resilience, needs_postgres_and_redis]

KVM_ID = 9_200_000_002
EVENTS = 300


def test_two_workers_on_one_stream_apply_no_event_twice(app, shops, plain_client, workers) -> None:  # type: ignore[no-untyped-def]
    us = shops["us"]
    shop_id = us.id
    upsert_product(us, payloads.product(KVM_ID, product_type="KVM Switch"))
    db.session.commit()
    pool = workers(queues="webhooks,outbox,default")
    pool.start(2)
    queue = app.extensions["tesmart_queue"]
    rng = random.Random(11)
    orders_of: Counter[int] = Counter()
    for index in range(EVENTS):
        customer_id = 7_100_000 + index % 25
        order = payloads.order(
            order_id=7_000_000_000 + index,
            lines=[payloads.line_item(KVM_ID, "149.00")],
            customer_block=payloads.customer(customer_id, f"two{customer_id}@example.com"),
        )
        webhook_id = str(uuid.uuid4())
        assert (
            deliver_with(plain_client, "orders/paid", order, webhook_id=webhook_id).status_code
            == 200
        )
        orders_of[customer_id] += 1
        if rng.random() < 0.1:  # Shopify's retry of the same delivery
            assert (
                deliver_with(plain_client, "orders/paid", order, webhook_id=webhook_id).status_code
                == 200
            )
        if rng.random() < 0.1:  # the same order under a new delivery
            assert (
                deliver_with(
                    plain_client, "orders/paid", order, webhook_id=str(uuid.uuid4())
                ).status_code
                == 200
            )
        if index % 3 == 0:  # the same event id handed to both workers
            newest = db.session.execute(select(func.max(WebhookEvent.id))).scalar()
            db.session.rollback()
            queue.connection.rpush(WEBHOOK_STREAM, newest, newest)
            queue.enqueue(process_webhook, newest, queue="webhooks")

    def drained() -> bool:
        db.session.remove()
        waiting = db.session.execute(
            select(func.count()).select_from(WebhookEvent).where(WebhookEvent.state != "processed")
        ).scalar()
        db.session.remove()
        return waiting == 0 and not queue.connection.llen(WEBHOOK_STREAM)

    assert wait_until(drained, timeout=180, step=0.25), "the two workers did not drain the stream"
    time.sleep(1)  # a duplicate job still in a worker's hands would show up now
    db.session.remove()
    events = db.session.execute(select(WebhookEvent.state, WebhookEvent.attempts)).all()
    assert {state for state, _ in events} == {"processed"}
    assert all(attempts == 1 for _, attempts in events), "an event was applied more than once"
    causes = (
        db.session.execute(
            select(PointEntry.cause_key).where(
                PointEntry.shop_id == shop_id, PointEntry.kind == "order"
            )
        )
        .scalars()
        .all()
    )
    assert len(causes) == len(set(causes)) == EVENTS
    for member_id, balance in db.session.execute(
        select(Wallet.member_id, Wallet.balance).where(Wallet.shop_id == shop_id)
    ):
        assert balance == ledger.sum_of_entries(shop_id, member_id)
    assert sum(orders_of.values()) * 2_000 == sum(
        db.session.execute(select(Wallet.balance).where(Wallet.shop_id == shop_id)).scalars()
    )
