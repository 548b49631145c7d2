"""The shop's integration secret: what review apps sign their calls with (HMAC-SHA256 of the body).

Stored encrypted (``Shop.integration_secret_enc``, the token cipher); shown to the merchant once,
when it is made. Rotating it replaces it at once: the review app must be given the new one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from plugin.database import audit
from plugin.database.transaction import unit_of_work
from plugin.models import Shop
from plugin.shopify.token_store import cipher
from plugin.shopify.tokens import TokenDecryptionFailed

SIGNATURE_HEADER = "X-TESmart-Signature"


@unit_of_work()
def rotate_integration_secret(shop: Shop, actor: str = "system") -> str:
    """A new secret for ``shop``'s review integration; returns it in clear (show it once).
    Commits."""
    secret = secrets.token_urlsafe(32)
    had_one = shop.integration_secret_enc is not None
    shop.integration_secret_enc = cipher().encrypt(secret)
    audit.record(
        shop_id=shop.id,
        actor=actor,
        action="integration_secret.rotate" if had_one else "integration_secret.create",
        subject_type="shop",
        subject_id=shop.id,
    )
    return secret


def integration_secret(shop: Shop) -> str | None:
    if not shop.integration_secret_enc:
        return None
    try:
        return cipher().decrypt(shop.integration_secret_enc)
    except TokenDecryptionFailed:
        return None


def sign(secret: str, body: bytes) -> str:
    """Base64 HMAC-SHA256 of the raw body: the value of the X-TESmart-Signature header."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def signature_valid(shop: Shop, body: bytes, signature: str | None) -> bool:
    secret = integration_secret(shop)
    if not secret or not signature:
        return False
    return hmac.compare_digest(sign(secret, body), signature.strip())
