from __future__ import annotations

from typing import Any

from plugin.models import Shop
from plugin.points import orders
from plugin.rewards import referrals
from plugin.shopify.admin_api import product_fetcher
from plugin.shopify.payloads import OrderSnapshot


def paid(shop: Shop, payload: dict[str, Any]) -> None:
    order = orders.apply_paid(
        shop, OrderSnapshot.from_webhook(payload), fetch_product=product_fetcher(shop)
    )

    referrals.on_order_paid(shop, order)


def cancelled(shop: Shop, payload: dict[str, Any]) -> None:
    order = orders.apply_cancelled(shop, OrderSnapshot.from_webhook(payload))

    referrals.on_order_reversed(shop, order)


def fulfilled(shop: Shop, payload: dict[str, Any]) -> None:
    orders.apply_fulfilled(shop, OrderSnapshot.from_webhook(payload))
