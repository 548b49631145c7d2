from __future__ import annotations

from typing import Any

from plugin.members import customers
from plugin.models import Shop
from plugin.shopify.payloads import ConsentSnapshot, CustomerSnapshot


def create(shop: Shop, payload: dict[str, Any]) -> None:
    customers.apply_customer(shop, CustomerSnapshot.from_webhook(payload), created=True)


def update(shop: Shop, payload: dict[str, Any]) -> None:
    customers.apply_customer(shop, CustomerSnapshot.from_webhook(payload), created=False)


def marketing_consent(shop: Shop, payload: dict[str, Any]) -> None:
    customers.apply_marketing_consent(shop, ConsentSnapshot.from_webhook(payload))
