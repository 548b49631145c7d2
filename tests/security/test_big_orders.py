"""An order line's quantity is bounded for device registration; a huge signed order is answered
well inside Shopify's 5 s and locks nobody else out (issue 15)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from plugin.extensions import db
from plugin.models import Device, Order, WebhookEvent
from tests import payloads
from tests.security.conftest import count


@pytest.fixture()
def kvm(shops, deliver):  # type: ignore[no-untyped-def]
    product = payloads.product(product_type="KVM Switch")
    assert deliver("products/create", product).status_code == 200
    return product


@pytest.mark.parametrize("quantity", [100_000, 10**30])
def test_a_huge_order_is_acknowledged_fast_and_registers_no_flood_of_devices(
    kvm, deliver, quantity
) -> None:  # type: ignore[no-untyped-def]
    order = payloads.order(lines=[payloads.line_item(kvm["id"], "1.00", quantity=1)])
    order["line_items"][0]["quantity"] = quantity
    started = time.monotonic()
    response = deliver("orders/paid", order)
    took = time.monotonic() - started
    assert response.status_code == 200 and took < 5.0, took
    assert count(Device) == 0
    # The order itself is still recorded (and a normal delivery right after goes through).
    normal = payloads.order(lines=[payloads.line_item(kvm["id"], "99.00", quantity=2)])
    assert deliver("orders/paid", normal).get_json()["status"] == "accepted"
    assert count(Device) == 2
    assert count(Order) == 2
    db.session.expire_all()
    assert {e.state for e in db.session.execute(select(WebhookEvent)).scalars()} <= {"processed"}


def test_a_refund_of_a_huge_quantity_fails_nothing(kvm, deliver) -> None:  # type: ignore[no-untyped-def]
    order = payloads.order(lines=[payloads.line_item(kvm["id"], "99.00", quantity=2)])
    assert deliver("orders/paid", order).get_json()["status"] == "accepted"
    refund = payloads.refund(order, "99.00", lines=[(order["line_items"][0], 10**30)])
    assert deliver("refunds/create", refund).get_json()["status"] == "accepted"
    db.session.expire_all()
    assert {e.state for e in db.session.execute(select(WebhookEvent)).scalars()} == {"processed"}
    assert {d.state for d in db.session.execute(select(Device)).scalars()} == {"void"}
