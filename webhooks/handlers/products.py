from __future__ import annotations

from typing import Any

from plugin.models import Shop
from plugin.shops import products as catalog


def upsert(shop: Shop, payload: dict[str, Any]) -> None:
    catalog.upsert_product(shop, payload)
