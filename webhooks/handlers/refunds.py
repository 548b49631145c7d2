from __future__ import annotations

from typing import Any

from plugin.models import Shop
from plugin.points import orders
from plugin.rewards import referrals
from plugin.shopify.payloads import RefundSnapshot


def create(shop: Shop, payload: dict[str, Any]) -> None:
    order = orders.apply_refund(shop, RefundSnapshot.from_webhook(payload))
    if order.total_amount > 0 and order.refunded_amount >= order.total_amount:
        referrals.on_order_reversed(shop, order)
