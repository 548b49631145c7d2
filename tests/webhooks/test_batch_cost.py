"""What a drained batch of paid orders costs the worker: the SQL statements per batch (and which),
measured around ``drain_webhooks`` over one batch taken off the stream; the outbox items the
orders write are only enqueued here, as under a real worker. ``ORDER_PROFILE=1`` prints a profile.

The batch's paid orders go the set-based way (``plugin.points.order_batch``): a fixed number of
statements per batch, whatever the number of orders in it.
"""

from __future__ import annotations

import collections
import cProfile
import os
import pstats
import time
from typing import Any

import fakeredis
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select

import plugin.jobs
from plugin.extensions import db
from plugin.jobs import drain_webhooks
from plugin.jobs.queue import RedisQueue
from plugin.models import WebhookEvent
from tests import payloads
from tests.webhooks.conftest import balance, member
from tests.webhooks.test_order_cost import _table
from tests.webhooks.test_stream import _deliver

ORDERS = 50


@pytest.fixture()
def fake_stream(app: Flask) -> Any:
    queue = RedisQueue("redis://127.0.0.1:6379/0")
    queue.connection = fakeredis.FakeRedis()
    original = app.extensions["tesmart_queue"]
    app.extensions["tesmart_queue"] = queue
    yield queue
    app.extensions["tesmart_queue"] = original


def _paid(kvm: dict[str, Any], n: int, customer: int) -> dict[str, Any]:
    return payloads.order(
        order_id=5_200_000 + n,
        lines=[payloads.line_item(kvm["switch"]["id"], "129.00")],
        customer_block=payloads.customer(800_000 + customer, f"batch{customer}@example.com"),
    )


# New customers (a TESmart ID and a shop customer made with each order), and customers known
# already (the steady state, and the benchmark's: 500 customers ordering again and again). The
# bound is per batch of 50: the batch's lock, its shared reads (redactions, referrals, products),
# the savepoint, the members, customers and orders read and written, the entries, wallets,
# first customers, outbox items and devices written, the processed mark.
# Real commits: the statements counted are production's, not the rolled-back test transaction's
# (whose savepoint around each commit would add two per batch).
@pytest.mark.commits
@pytest.mark.parametrize(("known", "bound"), [(False, 18), (True, 17)])
def test_a_drained_batch_of_paid_orders_costs_a_bounded_number_of_statements(
    shops: Any,
    kvm: Any,
    app: Flask,
    fake_stream: RedisQueue,
    monkeypatch: pytest.MonkeyPatch,
    known: bool,
    bound: int,
) -> None:
    monkeypatch.setattr(plugin.jobs, "DRAIN_BATCH", ORDERS)
    deliver = _deliver(FlaskClient(app, use_cookies=False))
    assert deliver("orders/paid", _paid(kvm, 0, 0)).status_code == 200  # warms the shop's caches
    if known:  # every customer's first order, before the batch measured
        for n in range(1, ORDERS + 1):
            assert deliver("orders/paid", _paid(kvm, 1000 + n, n)).status_code == 200
    with app.app_context():
        drain_webhooks(0)
    for n in range(1, ORDERS + 1):
        assert deliver("orders/paid", _paid(kvm, n, n)).status_code == 200
    fake_stream.connection.delete(fake_stream.queue("webhooks").key)
    statements: list[str] = []

    def count(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        statements.append(sql.split(None, 1)[0].upper() + " " + _table(sql))
        if os.environ.get("ORDER_SQL") and sql.startswith(os.environ["ORDER_SQL"]):
            print(sql, args[0] if args else None)

    profile = cProfile.Profile() if os.environ.get("ORDER_PROFILE") else None
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with app.app_context():
            started, cpu = time.perf_counter(), time.process_time()
            if profile:
                profile.enable()
            assert drain_webhooks(0) == ORDERS
            if profile:
                profile.disable()
            took, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    db.session.expire_all()
    states = dict(
        db.session.execute(
            select(WebhookEvent.state, func.count())
            .where(WebhookEvent.topic == "orders/paid")
            .group_by(WebhookEvent.state)
        ).all()
    )
    assert states == {"processed": (2 if known else 1) * ORDERS + 1}
    points = 4000 if known else 2000
    assert balance(shops["us"].id, member(f"batch{ORDERS}@example.com").id) == points
    per_order = len(statements) / ORDERS
    print(
        f"\n{per_order:.1f} statements, {took / ORDERS * 1000:.2f} ms "
        f"({cpu / ORDERS * 1000:.2f} ms of this process's CPU) per paid order"
    )
    for sql, times in collections.Counter(statements).most_common():
        print(f"  {times / ORDERS:5.2f}  {sql}")
    if os.environ.get("ORDER_SEQUENCE"):
        print("\n".join(statements[: len(statements) // ORDERS + 2]))
    if profile:
        pstats.Stats(profile).sort_stats(os.environ["ORDER_PROFILE"]).print_stats(45)
    assert len(statements) <= bound
