"""Trade-in figures in shop money, net of VAT, and one serial once across all four stores
(POLICY.md 5)."""

from __future__ import annotations

from tests import payloads
from tests.benefits.conftest import MINT, REGISTERED, ago
from tests.conftest import SHOP_DOMAINS


def quote(api, person, device_id, region=None):  # type: ignore[no-untyped-def]
    response = api(
        "POST",
        "/trade-in/quote",
        person,
        region=region,
        json={"device_id": device_id, "condition": MINT},
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_tax_included_kvm_at_tesmart_de_has_a_50_euro_recovery_value_for_a_2025_11_member(
    shopper, api, deliver, kvm
):  # type: ignore[no-untyped-def]
    max_ = shopper("max@example.de", "eu", cohort="2025-11")
    line = payloads.line_item(
        kvm["eu"]["switch"]["id"], "119.00", currency="EUR", tax="19.00", tax_rate=0.19
    )
    order = payloads.order(
        lines=[line],
        customer_block=max_.customer,
        currency="EUR",
        country="DE",
        created_at=ago(200),
        shipping="0.00",
        taxes_included=True,
    )
    assert deliver("orders/paid", order, shop="eu").status_code == 200
    max_.orders.append(order)
    device = max_.device
    assert (str(device.amount_paid), device.currency) == ("100.00", "EUR")
    answer = quote(api, max_, device.id)
    assert (answer["cohort"], answer["percent"], answer["value"], answer["currency"]) == (
        "2025-11",
        "50",
        "50.00",
        "EUR",
    )


def test_one_serial_takes_part_once_across_all_four_stores(shopper, api, buy):  # type: ignore[no-untyped-def]
    ann_us = shopper("ann@example.com", "us", cohort="2025-11")
    ann_eu = shopper("ann@example.com", "eu", customer=payloads.customer(email="ann@example.com"))
    assert ann_eu.member.activated_at == REGISTERED["2025-11"]
    first = quote(api, ann_us, ann_us.device.id)
    applied = api(
        "POST", "/trade-ins", ann_us, json={"quote_id": first["quote_id"], "serial": "TES-SN-77"}
    )
    assert applied.status_code == 201, applied.get_json()
    second = quote(api, ann_eu, ann_eu.device.id)
    refused = api(
        "POST", "/trade-ins", ann_eu, json={"quote_id": second["quote_id"], "serial": "TES-SN-77"}
    )
    assert refused.status_code == 422, refused.get_json()
    assert refused.get_json()["error"]["code"] == "trade_in_unavailable"
    assert SHOP_DOMAINS["eu"] != SHOP_DOMAINS["us"]


def test_a_partial_refund_payout_of_a_cad_order_is_sent_in_cad(
    shopper, api, deliver, kvm, fake_admin, drain
):  # type: ignore[no-untyped-def]
    from decimal import Decimal

    from plugin.benefits import tradeins
    from tests.benefits.conftest import shop

    cam = shopper("cam@example.ca", "us", cohort="2025-11", country="CA")
    fake_admin.add_customer(SHOP_DOMAINS["us"], email=cam.email, customer_id=cam.customer_id)
    line = payloads.line_item(kvm["us"]["switch"]["id"], "100.00")
    order = payloads.order(
        lines=[line],
        customer_block=cam.customer,
        country="CA",
        created_at=ago(150),
        shipping="0.00",
        presentment_currency="CAD",
        rate="1.37",
    )
    deliver("orders/paid", order)
    cam.orders.append(order)
    order_gid = fake_admin.add_order(
        SHOP_DOMAINS["us"],
        line_items=[{"price": "100.00"}],
        customer=f"gid://shopify/Customer/{cam.customer_id}",
        order_id=order["id"],
        created_at=ago(150),
        presentment_currency="CAD",
        rate="1.37",
    )
    answer = quote(api, cam, cam.device.id)
    assert (answer["value"], answer["currency"]) == (
        "50.00",
        "USD",
    )  # shop money: 50% of 100.00 USD
    applied = api(
        "POST", "/trade-ins", cam, json={"quote_id": answer["quote_id"], "serial": "TES-CA-1"}
    ).get_json()
    trade_in_id = applied["trade_in"]["id"]
    tradeins.approve(shop("us"), trade_in_id, "staff:1")
    tradeins.mark_shipped(shop("us"), trade_in_id, "staff:1", "1Z999")
    tradeins.pay(shop("us"), trade_in_id, "staff:1", "refund")
    drain()
    [refund] = fake_admin.refunds(SHOP_DOMAINS["us"], order_gid)
    assert (refund["amount"], refund["currency"]) == (Decimal("50.00"), "USD")
    assert (refund["presentment_amount"], refund["presentment_currency"]) == (
        Decimal("68.50"),
        "CAD",
    )
    [call] = [c for c in fake_admin.calls if c.operation_name == "RefundCreate"]
    assert call.variables["currency"] == "CAD"
    assert call.variables["transactions"][0]["amount"] == "68.50"


def test_a_partial_refund_of_an_order_the_app_cannot_see_is_paid_as_store_credit_with_a_note(
    shopper, api, fake_admin, drain
):  # type: ignore[no-untyped-def]
    from decimal import Decimal

    from sqlalchemy import select

    from plugin.benefits import tradeins
    from plugin.extensions import db
    from plugin.models import TradeIn, TradeInEvent
    from tests.benefits.conftest import shop

    fake_admin.set_scopes(
        "read_customers,read_products,write_discounts,write_orders,write_store_credit_account_transactions"
    )
    ann = shopper("ann@example.com", cohort="2025-11", bought_days_ago=400)
    customer_gid = fake_admin.add_customer(
        SHOP_DOMAINS["us"], email=ann.email, customer_id=ann.customer_id
    )
    order_gid = fake_admin.add_order(
        SHOP_DOMAINS["us"],
        line_items=[{"price": "129.00"}],
        customer=customer_gid,
        order_id=ann.orders[0]["id"],
        created_at=ago(400),
    )
    answer = quote(api, ann, ann.device.id)
    trade_in_id = api(
        "POST", "/trade-ins", ann, json={"quote_id": answer["quote_id"], "serial": "TES-OLD-1"}
    ).get_json()["trade_in"]["id"]
    tradeins.approve(shop("us"), trade_in_id, "staff:1")
    tradeins.mark_shipped(shop("us"), trade_in_id, "staff:1", "1Z999")
    tradeins.pay(shop("us"), trade_in_id, "staff:1", "refund")
    drain()
    assert fake_admin.refunds(SHOP_DOMAINS["us"], order_gid) == []
    assert fake_admin.store_credit(SHOP_DOMAINS["us"], customer_gid) == Decimal("64.50")
    db.session.expire_all()
    ti = db.session.get(TradeIn, trade_in_id)
    assert (ti.state, ti.payout_method) == ("paid", "store_credit")
    notes = [
        e.note
        for e in db.session.execute(
            select(TradeInEvent).where(TradeInEvent.trade_in_id == trade_in_id)
        ).scalars()
    ]
    assert any(
        "store credit instead of a partial refund" in (n or "") and "60 days" in (n or "")
        for n in notes
    )


def test_the_fake_shows_no_order_older_than_60_days_without_read_all_orders(fake_admin, app):  # type: ignore[no-untyped-def]
    from plugin.shopify.client import AdminClient

    domain = SHOP_DOMAINS["us"]
    old = fake_admin.add_order(
        domain, line_items=[{"price": "10.00"}], created_at=ago(61), updated_at=ago(1)
    )
    recent = fake_admin.add_order(
        domain, line_items=[{"price": "10.00"}], created_at=ago(59), updated_at=ago(1)
    )
    client = AdminClient(domain, "token", http_client=fake_admin.http_client())

    def seen() -> tuple[bool, set[str]]:
        one = client.execute("OrderGet", {"id": old})["order"]
        listed = client.execute(
            "OrdersUpdatedSince", {"query": f"updated_at:>'{ago(3)}'", "first": 3}
        )["orders"]["nodes"]
        return one is not None, {node["id"] for node in listed}

    assert seen() == (True, {old, recent})
    fake_admin.set_scopes("read_customers,read_products,write_orders")
    assert seen() == (False, {recent})
