"""Shop money, not presentment money; tax-inclusive prices; refunds that make sense (POLICY.md 3,
5).

tesmart.com sells to Canada in CAD: the order's top-level amounts and ``*_set.shop_money`` are
USD, the refund's transaction is CAD. tesmart.de shows prices with VAT included.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from plugin.extensions import db
from plugin.models import Device, Order, OrderRefund
from tests import payloads
from tests.webhooks.conftest import balance, member

CAD_PER_USD = Decimal("1.37")


def cad_order(kvm, **kwargs):  # type: ignore[no-untyped-def]
    lines = kwargs.pop("lines", None) or [payloads.line_item(kvm["switch"]["id"], "100.00")]
    return payloads.order(
        lines=lines,
        customer_block=payloads.customer(email="cam@example.ca"),
        country="CA",
        shipping="0.00",
        presentment_currency="CAD",
        rate=CAD_PER_USD,
        **kwargs,
    )


def test_the_cad_order_loses_exactly_half_its_points_to_a_half_refund_in_cad(
    shops, kvm, deliver
) -> None:  # type: ignore[no-untyped-def]
    order = cad_order(kvm)  # 100.00 USD, shown to the customer as 137.00 CAD
    deliver("orders/paid", order)
    cam = member("cam@example.ca")
    assert balance(shops["us"].id, cam.id) == 2000
    refund = payloads.refund(order, "68.50")  # half, in CAD
    assert refund["transactions"][0]["currency"] == "CAD"
    deliver("refunds/create", refund)
    assert balance(shops["us"].id, cam.id) == 1000
    db.session.expire_all()
    row = db.session.execute(select(Order)).scalar_one()
    assert (row.currency, row.refunded_amount) == ("USD", Decimal("50.00"))


def test_a_yen_refund_on_a_dollar_order_is_not_read_as_dollars(shops, kvm, deliver) -> None:  # type: ignore[no-untyped-def]
    # 200 JPY on a 200 USD order took back all 2,000 points: it is about 1.33 USD.
    lines = [payloads.line_item(kvm["switch"]["id"], "200.00")]
    order = payloads.order(
        lines=lines,
        customer_block=payloads.customer(email="yu@example.com"),
        shipping="0.00",
        presentment_currency="JPY",
        rate="150",
    )
    deliver("orders/paid", order)
    deliver("refunds/create", payloads.refund(order, "200"))
    assert balance(shops["us"].id, member("yu@example.com").id) == 2000 - 13


def test_a_cad_refund_that_comes_before_its_order_is_converted_at_the_orders_rate(
    shops, kvm, deliver
) -> None:  # type: ignore[no-untyped-def]
    order = cad_order(kvm)
    deliver("refunds/create", payloads.refund(order, "34.25"))  # a quarter, no lines: no rate yet
    deliver("orders/paid", order)
    assert balance(shops["us"].id, member("cam@example.ca").id) == 1500


def test_a_cad_refund_of_a_line_uses_the_lines_shop_money(shops, kvm, deliver) -> None:  # type: ignore[no-untyped-def]
    a, b = (
        payloads.line_item(kvm["switch"]["id"], "60.00"),
        payloads.line_item(kvm["switch"]["id"], "40.00"),
    )
    order = cad_order(kvm, lines=[a, b])
    deliver("orders/paid", order)
    deliver("refunds/create", payloads.refund(order, "54.80", lines=[(b, 1)]))  # 40.00 USD in CAD
    assert balance(shops["us"].id, member("cam@example.ca").id) == 1200


def test_a_negative_refund_amount_is_refused_and_records_nothing(shops, kvm, deliver, app) -> None:  # type: ignore[no-untyped-def]
    order = cad_order(kvm)
    deliver("orders/paid", order)
    assert deliver("refunds/create", payloads.refund(order, "-68.50")).status_code == 200
    assert db.session.execute(select(OrderRefund)).first() is None
    assert balance(shops["us"].id, member("cam@example.ca").id) == 2000


def test_a_refund_larger_than_what_is_left_is_capped(shops, kvm, deliver) -> None:  # type: ignore[no-untyped-def]
    order = cad_order(kvm)
    deliver("orders/paid", order)
    deliver("refunds/create", payloads.refund(order, "102.75"))  # three quarters
    deliver("refunds/create", payloads.refund(order, "137.00"))  # "the whole order" again
    assert balance(shops["us"].id, member("cam@example.ca").id) == 0
    db.session.expire_all()
    row = db.session.execute(select(Order)).scalar_one()
    assert row.refunded_amount == row.total_amount == Decimal("100.00")


def test_a_pending_refund_counts_once_it_settles(shops, kvm, deliver) -> None:  # type: ignore[no-untyped-def]
    order = cad_order(kvm)
    deliver("orders/paid", order)
    pending = payloads.refund(order, "68.50", status="pending")
    deliver("refunds/create", pending)
    assert balance(shops["us"].id, member("cam@example.ca").id) == 2000
    assert db.session.execute(select(OrderRefund.pending)).scalar_one() is True
    # Settled: Shopify's order (a later delivery, or reconciliation) carries it with success.
    settled = {**pending, "transactions": [{**pending["transactions"][0], "status": "success"}]}
    deliver(
        "orders/paid", {**order, "refunds": [settled], "updated_at": "2026-11-22T12:00:00-05:00"}
    )
    assert balance(shops["us"].id, member("cam@example.ca").id) == 1000
    db.session.expire_all()
    assert db.session.execute(select(OrderRefund.pending)).scalar_one() is False


def test_a_unit_refunded_before_payment_never_becomes_a_registered_device(
    shops, kvm, deliver
) -> None:  # type: ignore[no-untyped-def]
    line = payloads.line_item(kvm["switch"]["id"], "100.00", quantity=2)
    order = payloads.order(
        lines=[line], customer_block=payloads.customer(email="ann@example.com"), shipping="0.00"
    )
    deliver("refunds/create", payloads.refund(order, "100.00", lines=[(line, 1)]))
    deliver("orders/paid", order)
    deliver("orders/paid", order)
    states = [
        d.state for d in db.session.execute(select(Device).order_by(Device.unit_index)).scalars()
    ]
    assert states == ["registered", "void"]


def test_the_tax_included_kvm_at_tesmart_de_has_paid_100_without_its_vat(shops, deliver) -> None:  # type: ignore[no-untyped-def]
    switch = payloads.product(product_type="KVM Switch")
    deliver("products/create", switch, shop="eu")
    line = payloads.line_item(switch["id"], "119.00", currency="EUR", tax="19.00", tax_rate=0.19)
    order = payloads.order(
        lines=[line],
        currency="EUR",
        country="DE",
        shipping="0.00",
        taxes_included=True,
        customer_block=payloads.customer(email="max@example.de"),
    )
    assert order["total_price"] == "119.00" and order["total_tax"] == "19.00"
    deliver("orders/paid", order, shop="eu")
    device = db.session.execute(select(Device)).scalar_one()
    assert (device.amount_paid, device.currency) == (Decimal("100.00"), "EUR")


def test_per_currency_earning_in_a_tax_inclusive_store_is_net_of_vat(shops, deliver) -> None:  # type: ignore[no-untyped-def]
    from plugin.models import Shop

    shop = db.session.get(Shop, shops["eu"].id)
    shop.settings = {"earning": {"per_currency_unit": "1"}}
    db.session.commit()
    switch = payloads.product(product_type="KVM Switch")
    deliver("products/create", switch, shop="eu")
    line = payloads.line_item(switch["id"], "119.00", currency="EUR", tax="19.00", tax_rate=0.19)
    order = payloads.order(
        lines=[line],
        currency="EUR",
        country="DE",
        shipping="4.90",
        taxes_included=True,
        customer_block=payloads.customer(email="max@example.de"),
    )
    deliver("orders/paid", order, shop="eu")
    assert balance(shops["eu"].id, member("max@example.de").id) == 100
