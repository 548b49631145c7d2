from __future__ import annotations

from typing import Any

from plugin.models import Shop
from plugin.services import shops


def uninstalled(shop: Shop, payload: dict[str, Any]) -> None:
    shops.mark_uninstalled(shop)


def scopes_update(shop: Shop, payload: dict[str, Any]) -> None:
    current = payload.get("current")
    if isinstance(current, list):
        shops.record_scopes(shop, [str(s) for s in current])
