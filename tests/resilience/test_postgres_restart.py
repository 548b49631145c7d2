"""PostgreSQL restarted mid-run: the web tier and the workers recover without manual steps.

What a restart does to the app is close every server connection under it: each pooled connection
and each worker's connection is dead the next time it is used. The test does exactly that, several
times, with ``pg_terminate_backend`` on every other connection to the test database — the same
effect as ``pg_ctlcluster ... restart`` without stopping a server that other suites share. The
engine's ``pool_pre_ping`` replaces a dead pooled connection at checkout; a job that loses its
connection mid-transaction fails, its event stays ``received``, and the sweep runs it again.
"""

from __future__ import annotations

import time
import uuid

import psycopg
import pytest
from sqlalchemy import func, select

from plugin.extensions import db
from plugin.models import PointEntry, WebhookEvent
from plugin.shops.products import upsert_product
from tests import payloads
from tests.conftest import TEST_DATABASE_URL
from tests.resilience.conftest import (
    deliver_with,
    needs_postgres_and_redis,
    sweep_until,
    wait_until,
)

pytestmark = [pytest.mark.resilience, needs_postgres_and_redis]

KVM_ID = 9_400_000_001


def terminate_other_connections() -> int:
    """Close every other server connection to this database, as a restart would."""
    with psycopg.connect(TEST_DATABASE_URL, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return len(rows)


def test_app_and_workers_recover_from_dropped_database_connections(
    app, shops, plain_client, workers
) -> None:  # type: ignore[no-untyped-def]
    shop_id = shops["us"].id
    upsert_product(shops["us"], payloads.product(KVM_ID, product_type="KVM Switch"))
    db.session.commit()
    pool = workers(queues="webhooks,outbox,default")
    pool.start(2)
    total = 100
    killed = 0
    started = time.monotonic()
    for index in range(total):
        if index % 20 == 10:
            db.session.remove()  # the test's own session must not hold a connection across it
            killed += terminate_other_connections()
        order = payloads.order(
            order_id=7_500_000_000 + index,
            lines=[payloads.line_item(KVM_ID, "99.00")],
            customer_block=payloads.customer(7_600_000 + index % 7, f"pg{index % 7}@example.com"),
        )
        response = deliver_with(plain_client, "orders/paid", order, webhook_id=str(uuid.uuid4()))
        assert response.status_code == 200, (
            f"delivery {index} after a database restart: {response.status_code}"
        )
    assert killed >= 5, "the test did not cut the app's connections"
    # And once more while the workers are busy with the backlog.
    wait_until(lambda: time.monotonic() - started > 2, 3)
    db.session.remove()
    terminate_other_connections()

    def all_processed() -> bool:
        states = db.session.execute(
            select(WebhookEvent.state, func.count()).group_by(WebhookEvent.state)
        ).all()
        return dict(states) == {"processed": total}

    assert sweep_until(app, all_processed, timeout=120), (
        "events left unprocessed after the restarts"
    )
    assert all(p.poll() is None for p in pool.processes), "a worker died of a lost connection"
    entries = db.session.execute(
        select(func.count())
        .select_from(PointEntry)
        .where(PointEntry.shop_id == shop_id, PointEntry.kind == "order")
    ).scalar()
    assert entries == total
    assert plain_client.get("/healthz").status_code == 200
