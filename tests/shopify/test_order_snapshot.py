"""One typed OrderSnapshot from either of Shopify's shapes: a webhook's REST body or a GraphQL node
(what reconciliation reads) give the same order to the use cases."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from plugin.points.orders import refund_money
from plugin.shopify.payloads import OrderSnapshot, PayloadError, RefundSnapshot


def _money(amount: str, shown: str | None = None, currency: str = "EUR") -> dict[str, Any]:
    block: dict[str, Any] = {"shopMoney": {"amount": amount, "currencyCode": "USD"}}
    if shown is not None:
        block["presentmentMoney"] = {"amount": shown, "currencyCode": currency}
    return block


NODE: dict[str, Any] = {
    "id": "gid://shopify/Order/4001",
    "name": "#4001",
    "email": "contact@example.com",
    "createdAt": "2026-03-01T10:00:00Z",
    "processedAt": "2026-03-01T10:00:05Z",
    "updatedAt": "2026-03-02T08:00:00Z",
    "cancelledAt": None,
    "currencyCode": "usd",
    "test": False,
    "taxesIncluded": True,
    "totalPriceSet": _money("238.00", "220.00"),
    "subtotalPriceSet": _money("238.00"),
    "currentSubtotalPriceSet": _money("119.00"),
    "currentTotalTaxSet": _money("19.00"),
    "discountCodes": ["WELCOME", ""],
    "displayFinancialStatus": "PARTIALLY_REFUNDED",
    "customer": {
        "id": "gid://shopify/Customer/77",
        "defaultEmailAddress": {"emailAddress": "Buyer@Example.com"},
    },
    "shippingAddress": {"address1": "1 Main St", "zip": "10115", "countryCodeV2": "de"},
    "lineItems": {
        "nodes": [
            {
                "id": "gid://shopify/LineItem/9",
                "quantity": 2,
                "product": {"id": "gid://shopify/Product/5", "title": "KVM"},
                "originalUnitPriceSet": _money("129.00"),
                "discountedUnitPriceAfterAllDiscountsSet": _money("119.00"),
                "taxLines": [{"priceSet": _money("38.00")}],
            }
        ]
    },
    "refunds": [
        {
            "id": "gid://shopify/Refund/31",
            "createdAt": "2026-03-02T08:00:00Z",
            "transactions": {
                "nodes": [{"kind": "REFUND", "status": "SUCCESS", "amountSet": _money("119.00")}]
            },
            "refundLineItems": {
                "nodes": [{"lineItem": {"id": "gid://shopify/LineItem/9"}, "quantity": 1}]
            },
        }
    ],
    "fulfillments": [{"createdAt": "2026-03-01T12:00:00Z", "deliveredAt": None}],
}

WEBHOOK: dict[str, Any] = {
    "id": 4001,
    "name": "#4001",
    "email": "contact@example.com",
    "created_at": "2026-03-01T11:00:00+01:00",
    "processed_at": "2026-03-01T10:00:05Z",
    "updated_at": "2026-03-02T08:00:00Z",
    "cancelled_at": None,
    "currency": "USD",
    "test": False,
    "taxes_included": True,
    "total_price": "238.00",
    "total_price_set": {
        "shop_money": {"amount": "238.00", "currency_code": "USD"},
        "presentment_money": {"amount": "220.00", "currency_code": "EUR"},
    },
    "subtotal_price": "238.00",
    "current_subtotal_price": "119.00",
    "current_total_tax": "19.00",
    "discount_codes": [{"code": "WELCOME"}, {"code": ""}],
    "financial_status": "partially_refunded",
    "customer": {"id": 77, "email": "Buyer@Example.com"},
    "shipping_address": {"address1": "1 Main St", "zip": "10115", "country_code": "DE"},
    "line_items": [
        {
            "id": 9,
            "product_id": 5,
            "title": "KVM",
            "quantity": 2,
            "price": "129.00",
            "discount_allocations": [{"amount": "20.00"}],
            "tax_lines": [{"price": "38.00"}],
        }
    ],
    "refunds": [
        {
            "id": 31,
            "created_at": "2026-03-02T08:00:00Z",
            "transactions": [
                {"kind": "refund", "status": "success", "amount": "119.00", "currency": "USD"}
            ],
            "refund_line_items": [{"line_item_id": 9, "quantity": 1}],
        }
    ],
    "fulfillments": [{"created_at": "2026-03-01T12:00:00Z"}],
}


def test_a_webhook_body_and_a_graphql_node_give_the_same_order() -> None:
    from_node = OrderSnapshot.from_graphql(NODE)
    from_webhook = OrderSnapshot.from_webhook(WEBHOOK)
    for snapshot in (from_node, from_webhook):
        assert snapshot.id == "4001"
        assert snapshot.currency == "USD"
        assert snapshot.total == Decimal("238.00")
        assert snapshot.presentment_total == ("EUR", Decimal("220.00"))
        assert snapshot.net == Decimal("100.00")  # the current subtotal less its VAT
        assert snapshot.created_at == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
        assert snapshot.customer is not None and snapshot.customer.id == "77"
        assert snapshot.emails[:2] == ("Buyer@Example.com", "contact@example.com")
        assert snapshot.address is not None and snapshot.address.country == "DE"
        assert snapshot.discount_codes == ("WELCOME",)
        assert snapshot.financial_status == "partially_refunded"
        (line,) = snapshot.line_items
        assert (line.id, line.product_id, line.quantity) == ("9", "5", 2)
        assert (line.price, line.discount, line.tax) == (
            Decimal("129.00"),
            Decimal("20.00"),
            Decimal("38.00"),
        )
        (refund,) = snapshot.refunds
        assert refund.id == "31" and refund.lines[0].line_item_id == "9"
        assert refund_money(refund, "USD").amount == Decimal("119.00")
        assert len(snapshot.fulfillments) == 1


def test_a_snapshot_is_frozen_and_forgets_a_redacted_customer() -> None:
    snapshot = OrderSnapshot.from_webhook(WEBHOOK)
    with pytest.raises(FrozenInstanceError):
        snapshot.name = "#1"  # type: ignore[misc]
    kept = snapshot.without_personal_data()
    assert (kept.customer, kept.address, kept.emails) == (None, None, ())
    assert kept.total == snapshot.total and kept.line_items == snapshot.line_items


def test_a_refund_in_the_customers_currency_is_read_as_such() -> None:
    refund = RefundSnapshot.from_webhook(
        {
            "id": 5,
            "order_id": 4001,
            "transactions": [
                {"kind": "refund", "status": "success", "amount": "50.00", "currency": "eur"}
            ],
            "refund_line_items": [],
        }
    )
    given = refund_money(refund, "USD")
    assert (given.amount, given.presentment) == (None, ("EUR", Decimal("50.00")))


def test_bulk_and_odd_quantities_are_not_unit_counts() -> None:
    def quantity(raw: Any) -> int | None:
        body = {**WEBHOOK, "line_items": [{**WEBHOOK["line_items"][0], "quantity": raw}]}
        return OrderSnapshot.from_webhook(body).line_items[0].quantity

    assert (quantity("3"), quantity(3), quantity(True), quantity(1.5), quantity("9" * 12)) == (
        3,
        3,
        None,
        None,
        None,
    )


def test_an_order_without_an_id_is_refused() -> None:
    with pytest.raises(PayloadError):
        OrderSnapshot.from_webhook({**WEBHOOK, "id": None})
    with pytest.raises(PayloadError):
        OrderSnapshot.from_graphql({**NODE, "id": None})
