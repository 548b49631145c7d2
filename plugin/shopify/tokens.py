"""Offline access tokens: exchange, refresh, and encryption at rest.

Shopify requires public apps to use *expiring* offline tokens (about an hour) with a refresh token
that is replaced on every use: whoever refreshes must store the new pair at once, because the old
refresh token stops working. The HTTP side is Shopify's own `shopify_app` package; these wrappers
turn its result objects into one small dataclass and one exception, and keep the policy (when to
refresh) in one place.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from shopify_app import refresh_access_token, token_exchange
from shopify_app.types import AppConfig, IdTokenDetails, TokenExchangeResult

from .client import shop_name

# Failures worth trying again as they are; the rest need a fresh session token (the merchant opens
# the app again) or a configuration fix.
_TRANSIENT_CODES = frozenset({"network_error", "server_error", "rate_limit_exceeded"})
_REAUTHORIZE_CODES = frozenset({"invalid_subject_token", "invalid_grant", "refresh_token_expired"})

REFRESH_MARGIN = timedelta(minutes=5)


@dataclass(frozen=True)
class OfflineToken:
    """An expiring offline access token and the refresh token that replaces it.

    `shop` is the shop's myshopify domain (`tesmart-us.myshopify.com`): a refresh needs it.
    """

    shop: str
    access_token: str
    expires_at: datetime
    refresh_token: str
    refresh_token_expires_at: datetime | None
    scope: str

    def __repr__(self) -> str:  # never print secrets into logs or tracebacks
        return (
            f"OfflineToken(shop={self.shop!r}, expires_at={self.expires_at.isoformat()}, "
            f"scope={self.scope!r}, access_token=..., refresh_token=...)"
        )


class TokenExchangeFailed(Exception):
    """Token exchange or refresh did not produce a token.

    `code` is shopify_app's log code (e.g. `invalid_subject_token`, `invalid_grant`,
    `refresh_token_expired`, `network_error`).
    """

    def __init__(self, code: str, detail: str, *, status: int | None = None) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail
        self.status = status

    @property
    def transient(self) -> bool:
        """Trying the same exchange again later may work."""
        return self.code in _TRANSIENT_CODES

    @property
    def needs_reauthorization(self) -> bool:
        """Only a new session token (the merchant opening the app) can produce a token now."""
        return self.code in _REAUTHORIZE_CODES


def exchange_offline_token(
    app_config: AppConfig | Mapping[str, Any],
    id_token_details: IdTokenDetails | dict[str, Any],
    http_client: httpx.Client,
) -> OfflineToken:
    """Exchange a verified App Home session token for an expiring offline token."""
    result = token_exchange(
        "offline",
        _app_config(app_config),
        id_token=id_token_details,
        expiring=True,
        http_client=http_client,
    )
    return _token_from(result)


def exchange_online_user(
    app_config: AppConfig | Mapping[str, Any],
    id_token_details: IdTokenDetails | dict[str, Any],
    http_client: httpx.Client,
) -> Any:
    """Who the session token's staff member is: the online access token's ``associated_user``
    (id, first and last name, email, account_owner). The online token itself is not kept."""
    result = token_exchange(
        "online",
        _app_config(app_config),
        id_token=id_token_details,
        http_client=http_client,
    )
    token = result.access_token
    if not result.ok or token is None or token.user is None:
        raise TokenExchangeFailed(result.log.code, result.log.detail, status=result.response.status)
    return token.user


def refresh_offline_token(
    app_config: AppConfig | Mapping[str, Any],
    token: OfflineToken,
    http_client: httpx.Client,
) -> OfflineToken:
    """A new token pair for `token`. Store it at once: `token.refresh_token` is now spent."""
    # shopify_app skips the call while the access token has more than 60 s left. When to refresh is
    # decided here (`needs_refresh`, with its own margin), so the expiry is left out to make the
    # library refresh whenever it is asked to. The refresh token's expiry is passed: an expired one
    # fails fast without a request.
    current = {
        "shop": shop_name(token.shop),
        "access_mode": "offline",
        "refresh_token": token.refresh_token,
        "expires": None,
        "refresh_token_expires": _iso(token.refresh_token_expires_at),
        "user": None,
    }
    result = refresh_access_token(current, _app_config(app_config), http_client)
    return _token_from(result)


def needs_refresh(token: OfflineToken, now: datetime, margin: timedelta = REFRESH_MARGIN) -> bool:
    """Whether to refresh before using `token` at `now` (a timezone-aware datetime).

    The margin covers clock skew and a slow request: a token that expires mid-job costs a 401 and
    a retry, refreshing a few minutes early costs nothing.
    """
    if now.tzinfo is None:
        raise ValueError("needs_refresh wants an aware datetime")
    return now + margin >= token.expires_at


def _app_config(config: AppConfig | Mapping[str, Any]) -> AppConfig:
    return {
        "client_id": str(config.get("client_id", "")),
        "client_secret": str(config.get("client_secret", "")),
        "old_client_secret": config.get("old_client_secret"),
    }


def _token_from(result: TokenExchangeResult) -> OfflineToken:
    token = result.access_token
    if not result.ok or token is None:
        raise TokenExchangeFailed(result.log.code, result.log.detail, status=result.response.status)
    if not token.expires or not token.refresh_token:
        # Asked for an expiring token and got a permanent one: the app's configuration is off.
        raise TokenExchangeFailed(
            "not_expiring", "Shopify issued a token without expiry or refresh token"
        )
    return OfflineToken(
        shop=f"{shop_name(token.shop)}.myshopify.com",
        access_token=token.token,
        expires_at=_parse_time(token.expires),
        refresh_token=token.refresh_token,
        refresh_token_expires_at=_parse_time(token.refresh_token_expires)
        if token.refresh_token_expires
        else None,
        scope=token.scope,
    )


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%dT%H:%M:%SZ")


class TokenDecryptionFailed(ValueError):
    """The ciphertext was not made with any configured key (or was altered)."""


# Fixed context for deriving a Fernet key from a non-Fernet secret; changing it changes the key.
_HKDF_SALT = b"tesmart-members"
_HKDF_INFO = b"shop-token-encryption/fernet/v1"


class TokenCipher:
    """Encrypts access and refresh tokens for the database (Fernet: AES-128-CBC + HMAC-SHA256).

    `key` is normally a Fernet key (`TokenCipher.generate_key()`). Any other string is accepted and
    stretched into one with HKDF-SHA256, so a configured high-entropy secret works as is; HKDF does
    not slow down guessing, so that secret must not be a human-chosen password.
    `previous_keys` still decrypt (key rotation): encrypt with the new key, decrypt with any, and
    `rotate` re-encrypts a stored value under the new key.
    """

    def __init__(self, key: str, *previous_keys: str) -> None:
        self._fernet = MultiFernet([_fernet_for(k) for k in (key, *previous_keys)])

    @staticmethod
    def generate_key() -> str:
        return Fernet.generate_key().decode("ascii")

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError) as exc:
            raise TokenDecryptionFailed(
                "token ciphertext does not match the configured keys"
            ) from exc

    def rotate(self, ciphertext: str) -> str:
        try:
            return self._fernet.rotate(ciphertext.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeError) as exc:
            raise TokenDecryptionFailed(
                "token ciphertext does not match the configured keys"
            ) from exc


def _fernet_for(key: str) -> Fernet:
    if not key:
        raise ValueError("token encryption key is empty")
    try:
        return Fernet(key.encode("ascii"))
    except (ValueError, UnicodeError):
        pass
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=_HKDF_SALT, info=_HKDF_INFO).derive(
        key.encode("utf-8")
    )
    return Fernet(base64.urlsafe_b64encode(derived))
