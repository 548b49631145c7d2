"""The set-based path for a batch's paid orders (``plugin.points.order_batch``) writes exactly what
the per-event path writes: the same deliveries, in the same batches, through both, leave the same
members, customers, orders, ledger entries, wallets, devices, outbox items, audit rows and event
states; duplicates and out-of-order deliveries inside one batch and across batches included."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import fakeredis
import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select, update

from plugin import clock
from plugin.extensions import db
from plugin.jobs import process_webhooks
from plugin.jobs.queue import RedisQueue
from plugin.models import (
    AuditLog,
    Campaign,
    Device,
    Member,
    Order,
    OrderRefund,
    OutboxItem,
    PointEntry,
    Shop,
    ShopCustomer,
    Wallet,
    WebhookEvent,
)
from plugin.points import order_batch
from tests import payloads
from tests.activation import activated
from tests.conftest import TEST_DATABASE_URL
from tests.webhooks.test_invariants import ORDER_PLAN, scenario
from tests.webhooks.test_stream import _deliver

# Children first: what one run wrote is taken away before the other run.
TABLES = (
    OutboxItem,
    AuditLog,
    Device,
    PointEntry,
    Wallet,
    OrderRefund,
    Order,
    ShopCustomer,
    Member,
    WebhookEvent,
)
# The run's own numbering, and the activation's random referral code.
LEFT_OUT = {"id", "webhook_id", "event_id", "received_at", "referral_code"}


@pytest.fixture()
def fake_stream(app: Flask) -> Any:
    queue = RedisQueue("redis://127.0.0.1:6379/0")
    queue.connection = fakeredis.FakeRedis()
    original = app.extensions["tesmart_queue"]
    app.extensions["tesmart_queue"] = queue
    yield queue
    app.extensions["tesmart_queue"] = original


def _order(kvm: dict[str, Any], email: str | None, customer: int | None, **kwargs: Any) -> Any:
    lines = kwargs.pop("lines", None) or [payloads.line_item(kvm["switch"]["id"], "129.00")]
    block = None if customer is None else payloads.customer(customer, email, **kwargs.pop("c", {}))
    return payloads.order(
        lines=lines, customer_block=block, guest=customer is None, email=email, **kwargs
    )


def _script(kvm: dict[str, Any]) -> tuple[list[tuple[str, Any, str]], list[list[Any]]]:
    """The set-up deliveries and the batches: (topic, payload, shop) each."""
    switch, cable = kvm["switch"]["id"], kvm["cable"]["id"]
    ann, ben, cem, dee = 9_100_001, 9_100_002, 9_100_003, 9_100_004
    setup = [
        ("customers/update", payloads.customer(ann, "ann@example.com"), "us"),
        # a second customer account of Ann's, whose order says another email (a conflict)
        ("customers/update", payloads.customer(9_100_011, "ann@example.com"), "us"),
    ]
    o1 = _order(kvm, "ben@example.com", ben)
    o4 = _order(kvm, "dee@example.com", dee)
    o9 = _order(kvm, "eve@example.com", 9_100_009)
    o14 = _order(kvm, "fay@example.com", 9_100_014)
    bad = _order(kvm, "bad@example.com", 9_100_010)
    bad["refunds"] = [payloads.refund(bad, "-5.00")]
    newer = (datetime.now(UTC) + timedelta(hours=1)).isoformat(timespec="seconds")
    older = (datetime.now(UTC) - timedelta(days=30)).isoformat(timespec="seconds")
    first = [
        ("orders/paid", o1, "us"),  # a new customer and a new TESmart ID
        ("orders/paid", _order(kvm, "ann@example.com", ann), "us"),  # activated, Points Day
        ("orders/paid", o1, "us"),  # the same order again in the same batch
        ("orders/paid", _order(kvm, "ben@example.com", ben), "us"),  # Ben again, same batch
        ("refunds/create", payloads.refund(o4, "129.00"), "us"),  # the refund before its order
        ("orders/paid", o4, "us"),
        (
            "orders/paid",
            _order(kvm, "cem@example.com", cem, discount_codes=[{"code": "WELCOME"}]),
            "us",
        ),
        ("orders/paid", _order(kvm, "guest@example.com", None), "us"),  # a guest checkout
        ("orders/paid", _order(kvm, "tess@example.com", 9_100_007, test=True), "us"),
        (
            "orders/paid",
            _order(
                kvm,
                "gus@example.com",
                9_100_008,
                lines=[
                    payloads.line_item(switch, "129.00", quantity=3, discount="10.00"),
                    payloads.line_item(cable, "9.99", quantity=2),
                    payloads.line_item(None, "5.00", title="Gift wrap"),
                ],
            ),
            "us",
        ),
        ("orders/cancelled", {**o9, "cancelled_at": payloads.ago()}, "us"),  # before it is paid
        ("orders/paid", o9, "us"),
        ("orders/paid", bad, "us"),  # fails (a negative refund), recorded alike
        (
            "customers/update",
            payloads.customer(9_100_008, "gus@example.com", updated_at=newer, first_name="Gustav"),
            "us",
        ),
        ("orders/paid", _order(kvm, "gus@example.com", 9_100_008), "us"),
        ("orders/paid", _order(kvm, "ben@example.com", 9_100_011), "us"),  # Ann's, Ben's email
        (
            "orders/paid",
            _order(
                kvm,
                "eu@example.com",
                9_100_020,
                currency="EUR",
                country="DE",
                lines=[payloads.line_item(None, "50.00", currency="EUR")],
            ),
            "eu",
        ),
        ("orders/paid", _order(kvm, "hal@example.com", 9_100_021), "us"),
    ]
    second = [
        ("orders/paid", o1, "us"),  # a duplicate across batches
        ("orders/paid", _order(kvm, "ben@example.com", ben), "us"),  # Ben known now
        (
            "orders/paid",  # a customer payload older than the row's: its names are not taken
            _order(kvm, "gus@example.com", 9_100_008, c={"updated_at": older, "last_name": "Old"}),
            "us",
        ),
        ("orders/fulfilled", o14, "us"),  # fulfilled before paid
        ("orders/paid", o14, "us"),
        ("orders/paid", _order(kvm, "ann@example.com", ann), "us"),
        ("orders/paid", _order(kvm, "ivy@example.com", 9_100_022), "us"),
        ("orders/paid", {**_order(kvm, "jo@example.com", 9_100_023), "name": ""}, "us"),
    ]
    return setup, [first, second]


def _run(
    app: Flask, deliver: Any, setup: list[Any], batches: list[list[Any]], at: datetime
) -> dict[str, list[Any]]:
    with time_machine.travel(at, tick=False):
        for topic, payload, shop in setup:
            assert deliver(topic, payload, shop).status_code == 200
        process_webhooks(_received())
        activated("ann@example.com", "2026-01-01T00:00:00Z")
        for batch in batches:
            for topic, payload, shop in batch:
                assert deliver(topic, payload, shop).status_code == 200
            process_webhooks(_received())
    db.session.expire_all()
    return _rows()


def _received() -> list[int]:
    db.session.expire_all()
    return list(
        db.session.execute(
            select(WebhookEvent.id)
            .where(WebhookEvent.state == "received", WebhookEvent.attempts == 0)
            .order_by(WebhookEvent.id)
        ).scalars()
    )


def _rows() -> dict[str, list[Any]]:
    """Every row the runs write, without their ids: members named by their email."""
    emails = {m.id: m.email_normalized for m in db.session.execute(select(Member)).scalars()}

    def named(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: emails.get(v, v) if k.endswith("member_id") else named(v)
                for k, v in value.items()
            }
        return value

    rows: dict[str, list[Any]] = {}
    for model in TABLES:
        found = []
        table = model.__table__
        for row in db.session.execute(select(table).order_by(table.c.id)).mappings():
            if str(row.get("topic", "")).startswith("products/"):
                continue  # the catalogue's, delivered before both runs
            values = {k: v for k, v in row.items() if k not in LEFT_OUT}
            values = named(values)
            key = values.get("idempotency_key")
            if isinstance(key, str):
                values["idempotency_key"] = re.sub(
                    r"(customer_metafields|member):(\d+)",
                    lambda m: f"{m.group(1)}:{emails[int(m.group(2))]}",
                    key,
                )
            found.append(values)
        rows[model.__tablename__] = (
            found if model is WebhookEvent else sorted(found, key=repr)
        )  # events in their delivery order; the rest as a set
    return rows


def _forget_runs() -> None:
    for model in TABLES:
        db.session.execute(delete(model))
    db.session.commit()


@pytest.mark.commits  # the batch's own commits, as in production
def test_the_batch_path_writes_what_the_per_event_path_writes(
    shops: Any, kvm: Any, app: Flask, fake_stream: RedisQueue, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop_id = shops["us"].id
    db.session.execute(
        insert(Campaign).values(
            shop_id=shop_id,
            kind="points_multiplier",
            title="Points Day",
            starts_at=clock.now() - timedelta(days=3),
            ends_at=clock.now() + timedelta(days=3),
            multiplier=Decimal(2),
            details={},
            created_at=clock.now() - timedelta(days=4),
        )
    )
    db.session.execute(
        update(Shop).where(Shop.id == shop_id).values(campaigns_version=Shop.campaigns_version + 1)
    )
    db.session.commit()
    deliver = _deliver(FlaskClient(app, use_cookies=False))
    setup, batches = _script(kvm)
    at = clock.now()

    taken: list[int] = []
    original = order_batch.apply_paid_orders

    def batch_path(shop: Shop, deliveries: Any) -> list[int]:
        left = original(shop, deliveries)
        taken.extend(key for key, _ in deliveries if key not in left)
        return left

    monkeypatch.setattr(
        order_batch, "apply_paid_orders", lambda shop, deliveries: [key for key, _ in deliveries]
    )
    per_event = _run(app, deliver, setup, batches, at)
    _forget_runs()
    monkeypatch.setattr(order_batch, "apply_paid_orders", batch_path)
    batched = _run(app, deliver, setup, batches, at)

    assert len(taken) >= 9, taken  # the batch path did take most of the paid orders
    for table, rows in per_event.items():
        only_batched = [row for row in batched[table] if row not in rows]
        only_per_event = [row for row in rows if row not in batched[table]]
        assert (only_batched, only_per_event) == ([], []), table
        assert batched[table] == rows, table
    # and the runs wrote what they should: points, devices, a failed delivery, a conflict
    assert len(per_event["point_entries"]) >= 9
    assert len(per_event["devices"]) >= 5
    assert any(e["state"] == "received" and e["error"] for e in per_event["webhook_events"])
    assert per_event["audit_log"], "the email conflict is audited"
    kinds = {item["kind"] for item in per_event["outbox"]}
    assert {"flow.trigger", "customer.metafields"} <= kinds


def _per_event(shop: Shop, deliveries: Any) -> list[int]:
    return [key for key, _ in deliveries]


@pytest.mark.commits
@settings(
    max_examples=6 if TEST_DATABASE_URL else 15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(plan=ORDER_PLAN, data=st.data())
def test_random_deliveries_in_random_batches_are_written_alike(
    shops: Any, kvm: Any, app: Flask, fake_stream: RedisQueue, plan: Any, data: Any
) -> None:
    """Paid orders, refunds and cancellations of two customers, shuffled, some delivered again,
    cut into batches anywhere: the batch path and the per-event path leave the same rows."""
    canonical = scenario(int(kvm["switch"]["id"]), plan)
    deliveries = list(data.draw(st.permutations(canonical)))
    for (topic, payload, _), again in data.draw(
        st.lists(st.tuples(st.sampled_from(canonical), st.booleans()), max_size=4)
    ):
        deliveries.insert(data.draw(st.integers(0, len(deliveries))), (topic, payload, again))
    cuts = sorted(data.draw(st.sets(st.integers(1, max(len(deliveries) - 1, 1)), max_size=3)))
    batches = [
        [(topic, payload, "us") for topic, payload, _ in deliveries[start:end]]
        for start, end in zip([0, *cuts], [*cuts, len(deliveries)], strict=True)
    ]
    deliver = _deliver(FlaskClient(app, use_cookies=False))
    at = clock.now()
    original = order_batch.apply_paid_orders
    try:
        _forget_runs()
        order_batch.apply_paid_orders = _per_event  # type: ignore[assignment]
        per_event = _run(app, deliver, [], batches, at)
        _forget_runs()
        order_batch.apply_paid_orders = original  # type: ignore[assignment]
        batched = _run(app, deliver, [], batches, at)
    finally:
        order_batch.apply_paid_orders = original  # type: ignore[assignment]
    for table, rows in per_event.items():
        assert batched[table] == rows, table
