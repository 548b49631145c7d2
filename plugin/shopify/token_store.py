"""A shop's offline token pair, kept encrypted on its row: stored after an exchange or a refresh,
read back for the Admin API client (the shopify layer owns it so that the client needs nothing from
the shops package above it)."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from plugin import clock
from plugin.models import Shop
from plugin.shopify.tokens import OfflineToken, TokenCipher


def cipher() -> TokenCipher:
    return TokenCipher(current_app.config["TOKEN_ENCRYPTION_KEY"])


def store_token(shop: Shop, token: OfflineToken) -> None:
    """Keep the pair token exchange or refresh returned; refresh tokens rotate on each use."""
    box = cipher()
    shop.access_token_enc = box.encrypt(token.access_token)
    shop.access_token_expires_at = token.expires_at
    shop.refresh_token_enc = box.encrypt(token.refresh_token)
    shop.refresh_token_expires_at = token.refresh_token_expires_at
    shop.scopes = token.scope
    shop.installed_at = shop.installed_at or clock.now()
    shop.uninstalled_at = None
    shop.reauthorization_needed_at = None


def offline_token(shop: Shop) -> OfflineToken | None:
    if not shop.access_token_enc:
        return None
    box = cipher()
    return OfflineToken(
        shop=shop.domain,
        access_token=box.decrypt(shop.access_token_enc),
        expires_at=shop.access_token_expires_at or datetime.max.replace(tzinfo=clock.now().tzinfo),
        refresh_token=box.decrypt(shop.refresh_token_enc) if shop.refresh_token_enc else "",
        refresh_token_expires_at=shop.refresh_token_expires_at,
        scope=shop.scopes,
    )
