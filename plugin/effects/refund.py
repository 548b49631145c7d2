"""A partial refund of a recent order as a trade-in payout: ``refundCreate`` through the outbox.

``refundCreate`` carries ``@idempotent(key:)`` (required from 2026-04): the outbox item's key is
sent as the key, so a retry after a lost answer returns the first refund instead of a second one.
The refund goes back to the order's own payment (its successful sale or capture), no line items,
nothing restocked.

The refunds/create webhook that follows must not take the order's points back: a payout is not a
return. The refund is recorded for the order with a zero amount as soon as Shopify answers, so the
webhook (and reconciliation) find it known and leave the points alone.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from plugin import clock
from plugin.models import OrderRefund, OutboxItem, Shop
from plugin.services import outbox
from plugin.services.idempotent import insert_once
from plugin.services.shopify_payload import shopify_id
from plugin.shopify.client import user_errors

KIND = "refund.create"
PARENT_KINDS = ("SALE", "CAPTURE")


def _on_success(shop: Shop, item: OutboxItem, result: dict[str, Any]) -> None:
    from plugin.services import tradeins

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
    from plugin.services import tradeins

    tradeins.payout_failed(shop, item, reason)


@outbox.effect(KIND, on_success=_on_success, on_failure=_on_failure)
def refund(shop: Shop, payload: dict[str, Any], client: Any) -> dict[str, Any]:
    order_gid = f"gid://shopify/Order/{payload['order_id']}"
    order = client.execute("OrderPaymentTransactions", {"id": order_gid}).get("order")
    if not order:
        raise outbox.PermanentFailure(f"order {payload['order_id']} does not exist")
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
    data = client.execute(
        "RefundCreate",
        {
            "orderId": order_gid,
            "idempotencyKey": str(payload["idempotency_key"]),
            "note": payload.get("note"),
            "currency": payload["currency"],
            "notify": False,
            "transactions": [
                {
                    "orderId": order_gid,
                    "kind": "REFUND",
                    "gateway": parent["gateway"],
                    "amount": str(payload["amount"]),
                    "parentId": parent["id"],
                }
            ],
        },
    )
    errors = user_errors(data, "refundCreate")
    if errors:
        raise outbox.PermanentFailure("; ".join(str(e.get("message")) for e in errors))
    created = (data.get("refundCreate") or {}).get("refund") or {}
    total = ((created.get("totalRefundedSet") or {}).get("shopMoney") or {})
    return {"refund_id": created.get("id"), "amount": total.get("amount"), "currency": total.get("currencyCode")}
