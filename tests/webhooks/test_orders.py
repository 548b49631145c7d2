"""orders/paid, orders/cancelled, refunds/create, orders/fulfilled: points and devices (POLICY.md
3)."""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal

from sqlalchemy import select

from plugin.extensions import db
from plugin.models import Campaign, Device, Order, Shop
from plugin.models.types import utcnow
from tests import payloads
from tests.activation import activated
from tests.webhooks.conftest import balance, entries, member


def paid_order(kvm, email="ann@example.com", **kwargs):  # type: ignore[no-untyped-def]
    lines = kwargs.pop("lines", None) or [payloads.line_item(kvm["switch"]["id"], "129.00")]
    return payloads.order(lines=lines, customer_block=payloads.customer(email=email), **kwargs)


def test_paid_order_earns_2000_points_once(shops, kvm, deliver) -> None:  # type: ignore[no-untyped-def]
    order = paid_order(kvm)
    assert deliver("orders/paid", order).status_code == 200
    assert deliver("orders/paid", order).status_code == 200  # a second delivery, another webhook id
    ann = member("ann@example.com")
    assert [e.delta for e in entries(shops["us"].id, ann.id)] == [2000]
    assert balance(shops["us"].id, ann.id) == 2000


def test_points_campaign_doubles_order_points_at_the_order_time(shops, kvm, deliver) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime

    db.session.add(
        Campaign(
            shop_id=shops["us"].id,
            kind="points_multiplier",
            title="Points Day",
            starts_at=datetime(2026, 11, 20, tzinfo=UTC),
            ends_at=datetime(2026, 11, 21, tzinfo=UTC),
            multiplier=Decimal(2),
        )
    )
    db.session.commit()
    for email in ("ann@example.com", "bob@example.com"):
        deliver(
            "customers/update",
            payloads.customer(email=email, verified_email=True, updated_at="2026-11-01T00:00:00Z"),
        )
        activated(email, "2026-11-01T00:00:00Z")
    deliver("orders/paid", paid_order(kvm, created_at="2026-11-20T10:00:00+00:00"))
    deliver(
        "orders/paid",
        paid_order(kvm, email="bob@example.com", created_at="2026-11-22T10:00:00+00:00"),
    )
    deliver(
        "orders/paid",
        paid_order(kvm, email="pending@example.com", created_at="2026-11-20T11:00:00+00:00"),
    )
    assert balance(shops["us"].id, member("ann@example.com").id) == 4000
    assert balance(shops["us"].id, member("bob@example.com").id) == 2000
    # Campaigns are for activated members: a pending ID earns the plain 2,000.
    assert balance(shops["us"].id, member("pending@example.com").id) == 2000


def test_a_cancelled_membership_earns_no_more_points(shops, kvm, deliver) -> None:  # type: ignore[no-untyped-def]
    deliver("orders/paid", paid_order(kvm))
    ann = member("ann@example.com")
    ann.state = "cancelled"
    db.session.commit()
    deliver("orders/paid", paid_order(kvm))
    assert balance(shops["us"].id, ann.id) == 2000


def test_per_currency_unit_earning(shops, kvm, deliver) -> None:  # type: ignore[no-untyped-def]
    shop = db.session.get(Shop, shops["us"].id)
    shop.settings = {"earning": {"per_currency_unit": "1"}}
    db.session.commit()
    lines = [payloads.line_item(kvm["switch"]["id"], "129.99", discount="10.00")]
    deliver("orders/paid", paid_order(kvm, lines=lines, shipping="15.00", tax="9.60"))
    # net of discounts, tax and shipping: 119.99 -> 119 points
    assert balance(shops["us"].id, member("ann@example.com").id) == 119


def test_partial_then_full_refund_takes_points_back_proportionally(shops, kvm, deliver) -> None:  # type: ignore[no-untyped-def]
    order = paid_order(kvm, shipping="0.00")  # total 129.00
    deliver("orders/paid", order)
    ann = member("ann@example.com")
    deliver("refunds/create", payloads.refund(order, "32.25"))  # a quarter
    assert balance(shops["us"].id, ann.id) == 1500
    deliver("refunds/create", payloads.refund(order, "96.75"))  # the rest
    assert balance(shops["us"].id, ann.id) == 0
    assert [e.kind for e in entries(shops["us"].id, ann.id)] == [
        "order",
        "order_clawback",
        "order_clawback",
    ]


def test_refund_before_payment_is_applied_when_the_order_arrives(shops, kvm, deliver) -> None:  # type: ignore[no-untyped-def]
    order = paid_order(kvm, shipping="0.00")
    deliver("refunds/create", payloads.refund(order, "64.50"))
    deliver("orders/paid", order)
    assert balance(shops["us"].id, member("ann@example.com").id) == 1000


def test_cancellation_takes_all_points_back(shops, kvm, deliver) -> None:  # type: ignore[no-untyped-def]
    order = paid_order(kvm)
    deliver("orders/paid", order)
    deliver("orders/cancelled", {**order, "cancelled_at": "2026-11-21T10:00:00-05:00"})
    assert balance(shops["us"].id, member("ann@example.com").id) == 0


def test_paid_order_with_cancelled_at_earns_nothing_in_the_end(shops, kvm, deliver) -> None:  # type: ignore[no-untyped-def]
    deliver("orders/paid", paid_order(kvm, cancelled_at="2026-11-20T13:00:00-05:00"))
    assert balance(shops["us"].id, member("ann@example.com").id) == 0


def test_member_follows_customer_email_not_the_order_contact_email(shops, kvm, deliver) -> None:  # type: ignore[no-untyped-def]
    order = payloads.order(
        lines=[payloads.line_item(kvm["switch"]["id"], "99.00")],
        email="Contact@Example.com",
        customer_block=payloads.customer(email="ann@example.com"),
    )
    deliver("orders/paid", order)
    ann = member("ann@example.com")
    assert balance(shops["us"].id, ann.id) == 2000


def test_guest_checkout_creates_a_pending_id_from_the_order_email(shops, kvm, deliver) -> None:  # type: ignore[no-untyped-def]
    order = payloads.order(
        lines=[payloads.line_item(kvm["switch"]["id"], "99.00")],
        email="Guest@Example.com",
        guest=True,
    )
    assert deliver("orders/paid", order).status_code == 200
    guest = member("guest@example.com")
    assert guest.activated_at is None
    assert balance(shops["us"].id, guest.id) == 2000


def test_test_orders_earn_nothing_by_default(shops, kvm, deliver) -> None:  # type: ignore[no-untyped-def]
    assert deliver("orders/paid", paid_order(kvm, test=True)).status_code == 200
    assert balance(shops["us"].id, member("ann@example.com").id) == 0


def test_devices_registered_per_unit_with_the_amount_actually_paid(shops, kvm, deliver) -> None:  # type: ignore[no-untyped-def]
    lines = [
        payloads.line_item(kvm["switch"]["id"], "100.00", quantity=3, discount="10.00"),
        payloads.line_item(kvm["cable"]["id"], "9.99", quantity=2, title="HDMI cable"),
        payloads.line_item(None, "5.00", title="Custom engraving"),  # product_id: null
    ]
    order = paid_order(kvm, lines=lines, country="DE", currency="USD")
    deliver("orders/paid", order)
    deliver("orders/paid", order)
    devices = list(db.session.execute(select(Device).order_by(Device.unit_index)).scalars())
    assert [d.amount_paid for d in devices] == [
        Decimal("96.67"),
        Decimal("96.67"),
        Decimal("96.66"),
    ]
    assert sum(d.amount_paid for d in devices) == Decimal("290.00")
    assert {d.category for d in devices} == {"kvm_switch"}
    assert {d.delivery_country for d in devices} == {"DE"}
    assert all(d.member_id == member("ann@example.com").id for d in devices)


def test_yen_amounts_have_no_minor_unit(shops, deliver) -> None:  # type: ignore[no-untyped-def]
    switch = payloads.product(product_type="KVM Switch")
    deliver("products/create", switch, shop="jp")
    lines = [payloads.line_item(switch["id"], "12000", quantity=3, discount="1000", currency="JPY")]
    order = payloads.order(
        lines=lines,
        currency="JPY",
        country="JP",
        customer_block=payloads.customer(email="taro@example.jp"),
        shipping="0",
    )
    deliver("orders/paid", order, shop="jp")
    amounts = sorted(d.amount_paid for d in db.session.execute(select(Device)).scalars())
    assert amounts == [Decimal("11666"), Decimal("11667"), Decimal("11667")]


def test_unknown_product_is_fetched_from_the_admin_api(shops, deliver, fake_admin) -> None:  # type: ignore[no-untyped-def]
    fake_admin.add_product(
        "tesmart-us.myshopify.com", product_id=777, title="Matrix 4x4", product_type="Matrix"
    )
    order = payloads.order(
        lines=[payloads.line_item(777, "499.00", title="Matrix 4x4")],
        customer_block=payloads.customer(email="mx@example.com"),
    )
    assert deliver("orders/paid", order).status_code == 200
    device = db.session.execute(select(Device)).scalar_one()
    assert device.category == "matrix"


def test_refunded_units_lose_their_registration(shops, kvm, deliver) -> None:  # type: ignore[no-untyped-def]
    line = payloads.line_item(kvm["switch"]["id"], "100.00", quantity=2)
    order = paid_order(kvm, lines=[line])
    deliver("orders/paid", order)
    deliver("refunds/create", payloads.refund(order, "100.00", lines=[(line, 1)]))
    states = [
        d.state for d in db.session.execute(select(Device).order_by(Device.unit_index)).scalars()
    ]
    assert states == ["registered", "void"]


def test_fulfilled_records_delivery(shops, kvm, deliver) -> None:  # type: ignore[no-untyped-def]
    order = paid_order(kvm)
    deliver("orders/paid", order)
    fulfilled = {
        **order,
        "fulfillments": [
            {
                "id": 1,
                "created_at": "2026-11-21T10:00:00-05:00",
                "shipment_status": "delivered",
                "updated_at": "2026-11-23T10:00:00-05:00",
                "status": "success",
            }
        ],
    }
    deliver("orders/fulfilled", fulfilled)
    db.session.expire_all()
    row = db.session.execute(select(Order)).scalar_one()
    assert row.fulfilled_at is not None and row.delivered_at is not None
    assert row.delivered_at.isoformat().startswith("2026-11-23T15:00")


def test_order_points_land_in_the_shop_of_the_order(shops, deliver) -> None:  # type: ignore[no-untyped-def]
    switch = payloads.product(product_type="KVM Switch")
    deliver("products/create", switch, shop="eu")
    order = payloads.order(
        lines=[payloads.line_item(switch["id"], "119.00", currency="EUR")],
        currency="EUR",
        country="DE",
        customer_block=payloads.customer(email="ann@example.com"),
    )
    deliver("orders/paid", order, shop="eu")
    ann = member("ann@example.com")
    assert balance(shops["eu"].id, ann.id) == 2000
    assert balance(shops["us"].id, ann.id) == 0
    assert utcnow()  # timezone-aware clock in use


def test_a_trade_in_payout_refund_takes_no_points_back(shops, kvm, deliver) -> None:  # type: ignore[no-untyped-def]
    order = paid_order(kvm, shipping="0.00")
    deliver("orders/paid", order)
    payout = {**payloads.refund(order, "64.50"), "note": "TESmart trade-in #7"}
    deliver("refunds/create", payout)
    assert balance(shops["us"].id, member("ann@example.com").id) == 2000
