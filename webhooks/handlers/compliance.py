from __future__ import annotations

from typing import Any

from plugin.members import compliance
from plugin.models import Shop


def data_request(shop: Shop, payload: dict[str, Any]) -> None:
    compliance.data_request(shop, payload)


def customer_redact(shop: Shop, payload: dict[str, Any]) -> None:
    compliance.redact_customer(shop, payload)


def shop_redact(shop: Shop, payload: dict[str, Any]) -> None:
    # Shopify sends shop/redact 48 hours after an uninstall: a shop installed again since (or
    # never uninstalled) keeps its data.
    if shop.installed:
        return
    compliance.redact_shop(shop)
