from __future__ import annotations

from typing import Any

from plugin.members import customers
from plugin.models import Shop


def create(shop: Shop, payload: dict[str, Any]) -> None:
    customers.apply_customer(shop, payload, created=True)


def update(shop: Shop, payload: dict[str, Any]) -> None:
    customers.apply_customer(shop, payload, created=False)


def marketing_consent(shop: Shop, payload: dict[str, Any]) -> None:
    customers.apply_marketing_consent(shop, payload)
