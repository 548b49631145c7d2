"""Redis down (killed, or hung) while webhooks arrive: every acknowledged delivery is recorded and
processed once Redis is back; none is acknowledged and lost (invariant 1).

The test runs its own redis-server on a free loopback port (the shared one serves other suites),
kills it, pauses it (SIGSTOP: connections hang instead of failing), and starts it again empty, as
a Redis without persistence comes back after a crash: the jobs queued before the crash are gone
too, and the sweep re-enqueues them from the database.
"""

from __future__ import annotations

import time
import uuid

import pytest
from sqlalchemy import func, select

from plugin.extensions import db
from plugin.jobs.queue import RedisQueue
from plugin.models import PointEntry, WebhookEvent
from plugin.shops.products import upsert_product
from tests import payloads
from tests.conftest import drain_jobs
from tests.resilience.conftest import deliver_with, needs_redis_server, sweep_until

pytestmark = [pytest.mark.resilience, needs_redis_server]

KVM_ID = 9_300_000_001
SHOPIFY_ANSWER_BUDGET = 5.0  # seconds Shopify waits for the acknowledgement


def paid_order(index: int) -> dict:  # type: ignore[type-arg]
    return payloads.order(
        order_id=7_000_000_000 + index,
        lines=[payloads.line_item(KVM_ID, "99.00")],
        customer_block=payloads.customer(7_100_000 + index % 5, f"redis{index % 5}@example.com"),
    )


def test_deliveries_during_a_redis_outage_are_recorded_then_processed(
    app, shops, plain_client, redis_server
) -> None:  # type: ignore[no-untyped-def]
    app.extensions["tesmart_queue"] = RedisQueue(redis_server.url)
    shop_id = shops["us"].id
    upsert_product(shops["us"], payloads.product(KVM_ID, product_type="KVM Switch"))
    db.session.commit()
    acknowledged: list[str] = []

    def deliver(index: int) -> None:
        webhook_id = str(uuid.uuid4())
        started = time.monotonic()
        response = deliver_with(
            plain_client, "orders/paid", paid_order(index), webhook_id=webhook_id
        )
        took = time.monotonic() - started
        assert took < SHOPIFY_ANSWER_BUDGET, (
            f"answered after {took:.1f}s: Shopify would count a failure"
        )
        # Accepted durably, or refused with a 5xx so that Shopify retries: never a 2xx that is lost.
        assert response.status_code == 200 or response.status_code >= 500
        if response.status_code == 200:
            acknowledged.append(webhook_id)

    for index in range(5):  # Redis up
        deliver(index)
    redis_server.kill()
    for index in range(5, 25):  # Redis down: connection refused
        deliver(index)
    assert plain_client.get("/healthz").status_code == 503

    redis_server.start()
    redis_server.pause()
    try:
        for index in range(25, 27):  # Redis hung: the enqueue times out
            deliver(index)
    finally:
        redis_server.resume()
    redis_server.kill()
    redis_server.start()  # back, empty: what was queued before the crash is gone as well

    db.session.remove()
    recorded = set(db.session.execute(select(WebhookEvent.webhook_id)).scalars())
    assert set(acknowledged) <= recorded, "a delivery was acknowledged but not recorded"
    assert len(acknowledged) == 27, "the receiver refused deliveries it could have recorded"

    def all_processed() -> bool:
        drain_jobs(app)
        db.session.remove()
        states = db.session.execute(
            select(WebhookEvent.state, func.count()).group_by(WebhookEvent.state)
        ).all()
        return dict(states) == {"processed": 27}

    assert sweep_until(app, all_processed, timeout=60)
    entries = db.session.execute(
        select(func.count())
        .select_from(PointEntry)
        .where(PointEntry.shop_id == shop_id, PointEntry.kind == "order")
    ).scalar()
    assert entries == 27
