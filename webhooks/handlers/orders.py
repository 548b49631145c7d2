from __future__ import annotations

from typing import Any

from plugin.models import Shop
from plugin.points import orders
from plugin.rewards import referrals
from plugin.shopify.admin_api import product_fetcher


def paid(shop: Shop, payload: dict[str, Any]) -> None:
    order = orders.apply_paid(shop, payload, fetch_product=product_fetcher(shop))

    referrals.on_order_paid(shop, order)


def cancelled(shop: Shop, payload: dict[str, Any]) -> None:
    order = orders.apply_cancelled(shop, payload)

    referrals.on_order_reversed(shop, order)


def fulfilled(shop: Shop, payload: dict[str, Any]) -> None:
    orders.apply_fulfilled(shop, payload)
