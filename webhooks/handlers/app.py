from __future__ import annotations

from typing import Any

from plugin.models import Shop
from plugin.shops import registry as shops


def uninstalled(shop: Shop, payload: dict[str, Any]) -> None:
    # Believed only when the Shop in the (signed) body is this shop; the receiver refuses the
    # rest, and this holds for anything recorded before that check existed.
    if str(payload.get("myshopify_domain") or "").strip().lower() != shop.domain:
        return
    shops.mark_uninstalled(shop)


def scopes_update(shop: Shop, payload: dict[str, Any]) -> None:
    current = payload.get("current")
    if isinstance(current, list):
        shops.record_scopes(shop, [str(s) for s in current])
