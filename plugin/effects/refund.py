"""A partial refund of a recent order as a trade-in payout: ``refundCreate`` through the outbox.

``refundCreate`` carries ``@idempotent(key:)`` (required from 2026-04): the outbox item's key is
sent as the key, so a retry after a lost answer returns the first refund instead of a second one.
The refund goes back to the order's own payment (its successful sale or capture), no line items,
nothing restocked.

The payout is shop money (every trade-in figure is). When the customer paid in another currency,
``refundCreate`` takes the presentment currency and amounts in it (the schema requires it when the
two differ): the shop amount is converted at the paid transaction's own rate.

The refunds/create webhook that follows must not take the order's points back: a payout is not a
return. The refund is recorded for the order with a zero amount as soon as Shopify answers, so the
webhook (and reconciliation) find it known and leave the points alone.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from plugin import clock, outbox
from plugin.benefits import tradeins
from plugin.benefits.tradeins import ORDER_OUT_OF_SIGHT
from plugin.database.idempotent import insert_once
from plugin.models import OrderRefund, OutboxItem, Shop
from plugin.program.money import UnknownCurrency, quantize
from plugin.shopify.client import user_errors
from plugin.shopify.payloads import shopify_id

KIND = outbox.EffectKind.REFUND.value
PARENT_KINDS = ("SALE", "CAPTURE")


def _on_success(shop: Shop, item: OutboxItem, result: dict[str, Any]) -> None:
    refund_id = shopify_id(result.get("refund_id"))
    if refund_id is not None:
        insert_once(
            OrderRefund,
            {
                "shop_id": shop.id,
                "order_id": str(item.payload["order_id"]),
                "refund_id": refund_id,
                "amount": Decimal(0),  # a payout, not money back for goods: no points clawback
                "refunded_at": clock.now(),
            },
            ["shop_id", "refund_id"],
        )
    tradeins.payout_confirmed(shop, item, result)


def _on_failure(shop: Shop, item: OutboxItem, reason: str) -> None:
    tradeins.payout_failed(shop, item, reason)


def refund(shop: Shop, payload: dict[str, Any], client: Any) -> dict[str, Any]:
    order_gid = f"gid://shopify/Order/{payload['order_id']}"
    order = client.execute("OrderPaymentTransactions", {"id": order_gid}).get("order")
    if not order:
        raise outbox.PermanentFailure(
            f"{ORDER_OUT_OF_SIGHT}: Shopify does not show order {payload['order_id']} to the app "
            "(older than 60 days without read_all_orders, or deleted)"
        )
    parent = next(
        (
            t
            for t in order.get("transactions") or []
            if t.get("kind") in PARENT_KINDS and t.get("status") == "SUCCESS" and t.get("gateway")
        ),
        None,
    )
    if parent is None:
        raise outbox.PermanentFailure(f"order {payload['order_id']} has no payment to refund to")
    currency, amount = presentment_amount(
        order, parent, Decimal(str(payload["amount"])), str(payload["currency"])
    )
    data = client.execute(
        "RefundCreate",
        {
            "orderId": order_gid,
            "idempotencyKey": str(payload["idempotency_key"]),
            "note": payload.get("note"),
            "currency": currency,
            "notify": False,
            "transactions": [
                {
                    "orderId": order_gid,
                    "kind": "REFUND",
                    "gateway": parent["gateway"],
                    "amount": str(amount),
                    "parentId": parent["id"],
                }
            ],
        },
    )
    errors = user_errors(data, "refundCreate")
    if errors:
        raise outbox.PermanentFailure("; ".join(str(e.get("message")) for e in errors))
    created = (data.get("refundCreate") or {}).get("refund") or {}
    total = (created.get("totalRefundedSet") or {}).get("shopMoney") or {}
    return {
        "refund_id": created.get("id"),
        "amount": total.get("amount"),
        "currency": total.get("currencyCode"),
    }


def presentment_amount(
    order: dict[str, Any], parent: dict[str, Any], amount: Decimal, shop_currency: str
) -> tuple[str, Decimal]:
    """``amount`` of shop money in the order's presentment currency, at the rate of the payment
    it goes back to (its shop and presentment amounts); the shop's own currency when they agree."""
    shown = str(order.get("presentmentCurrencyCode") or shop_currency).upper()
    if shown == shop_currency.upper():
        return shop_currency, amount
    bag = parent.get("amountSet") or {}
    shop_paid = Decimal(str((bag.get("shopMoney") or {}).get("amount") or 0))
    shown_paid = Decimal(str((bag.get("presentmentMoney") or {}).get("amount") or 0))
    if shop_paid <= 0 or shown_paid <= 0:
        raise outbox.PermanentFailure("the payment has no amount to take the exchange rate from")
    try:
        return shown, quantize(amount * shown_paid / shop_paid, shown)
    except UnknownCurrency:
        raise outbox.PermanentFailure(f"no minor-unit rule for {shown}") from None
