"""`POST /admin/oauth/access_token` as shopify_app's token exchange and refresh expect it.

Token exchange (`grant_type` urn:ietf:params:oauth:grant-type:token-exchange) turns a session token
into an offline access token; with `expiring: 1` it lasts an hour and comes with a refresh token.
A refresh (`grant_type=refresh_token`) spends the refresh token and issues a new pair. As on Shopify
since August 2026, a spent refresh token can be presented again until its replacement is first used
(at most 30 days after its own first use, and never past its 90-day lifetime): an app that lost
the answer to a refresh, or failed to store it, recovers with the pair it still has. Using the
replacement retires the token it replaced. Errors use the OAuth error codes shopify_app reads
(`invalid_subject_token`, `invalid_client`, `invalid_grant`).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt

from .store import IssuedToken, ShopState

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"
OFFLINE_TOKEN = "urn:shopify:params:oauth:token-type:offline-access-token"
ONLINE_TOKEN = "urn:shopify:params:oauth:token-type:online-access-token"


@dataclass(frozen=True)
class TokenPolicy:
    scopes: str
    access_token_ttl: timedelta = timedelta(hours=1)
    refresh_token_ttl: timedelta = timedelta(days=90)
    # How long a spent refresh token stays usable while its replacement is unused.
    refresh_recovery: timedelta = timedelta(days=30)
    # client_id -> client_secret. When a client is known, its secret and its session tokens'
    # signatures are checked; unknown clients are trusted (the local demo has no real secrets).
    apps: Mapping[str, str] | None = None
    # Shopify user id -> (first name, last name) the online token's associated_user carries.
    staff: Mapping[str, tuple[str, str]] | None = None


def token_response(
    state: ShopState, body: Mapping[str, Any], policy: TokenPolicy, now: datetime
) -> tuple[int, dict[str, Any]]:
    """(HTTP status, JSON body) for one token request to `state`'s shop."""
    client_id = str(body.get("client_id") or "")
    if not client_id or not _client_ok(policy, client_id, str(body.get("client_secret") or "")):
        return 401, {
            "error": "invalid_client",
            "error_description": "Client credentials are invalid",
        }
    grant = body.get("grant_type")
    if grant == TOKEN_EXCHANGE:
        return _exchange(state, body, policy, now, client_id)
    if grant == "refresh_token":
        return _refresh(state, body, policy, now)
    return 400, {
        "error": "unsupported_grant_type",
        "error_description": f"grant_type {grant!r} is not supported",
    }


def _client_ok(policy: TokenPolicy, client_id: str, client_secret: str) -> bool:
    known = (policy.apps or {}).get(client_id)
    return known is None or secrets.compare_digest(known, client_secret)


def _exchange(
    state: ShopState, body: Mapping[str, Any], policy: TokenPolicy, now: datetime, client_id: str
) -> tuple[int, dict[str, Any]]:
    subject = str(body.get("subject_token") or "")
    if (
        not subject
        or body.get("subject_token_type") != ID_TOKEN_TYPE
        or not _session_token_ok(policy, client_id, subject, state.domain)
    ):
        return 400, {
            "error": "invalid_subject_token",
            "error_description": "The session token is invalid",
        }
    requested = body.get("requested_token_type")
    if requested not in (OFFLINE_TOKEN, ONLINE_TOKEN):
        return 400, {
            "error": "invalid_request",
            "error_description": "requested_token_type is invalid",
        }
    expiring = str(body.get("expiring", "0")) in ("1", "true", "True")
    if requested == ONLINE_TOKEN:
        payload = _issue(state, policy, now, with_refresh=False)
        payload["associated_user_scope"] = policy.scopes
        user_id = _subject_user(subject)
        first, last = (policy.staff or {}).get(
            user_id, ("Dev", "Merchant") if user_id == "1" else ("Staff", user_id)
        )
        payload["associated_user"] = {
            "id": int(user_id) if user_id.isdigit() else 1,
            "first_name": first,
            "last_name": last,
            "email": "merchant@example.com" if user_id == "1" else f"staff{user_id}@example.com",
            # The fake's store owner is user 1 (the local demo's merchant).
            "account_owner": user_id == "1",
            "locale": "en",
            "collaborator": False,
            "email_verified": True,
        }
        return 200, payload
    return 200, _issue(state, policy, now, with_refresh=expiring)


def _subject_user(token: str) -> str:
    """The staff member a session token names (its ``sub``); its signature was checked already."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        return "1"
    return str(claims.get("sub") or "1")


def _session_token_ok(policy: TokenPolicy, client_id: str, token: str, domain: str) -> bool:
    secret = (policy.apps or {}).get(client_id)
    if secret is None:
        return True
    try:
        # Expiry is the app's check (verify_app_home_req ran before the exchange); the fake's
        # clock may be pinned to a date far from the token's.
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            audience=client_id,
            options={"verify_exp": False, "verify_nbf": False},
        )
    except jwt.InvalidTokenError:
        return False
    dest = str(claims.get("dest", "")).removeprefix("https://").removeprefix("http://")
    return dest == domain


def _refresh(
    state: ShopState, body: Mapping[str, Any], policy: TokenPolicy, now: datetime
) -> tuple[int, dict[str, Any]]:
    presented = str(body.get("refresh_token") or "")
    issued = state.refresh_tokens.get(presented)
    if (
        issued is None
        or issued.revoked
        or (issued.expires_at is not None and issued.expires_at <= now)
        or (
            issued.first_used_at is not None
            and now >= issued.first_used_at + policy.refresh_recovery
        )
    ):
        return 400, {
            "error": "invalid_grant",
            "error_description": "The refresh token is invalid, expired or used",
        }
    if issued.first_used_at is None:
        issued.first_used_at = now
    if issued.replaces is not None:  # the app uses the replacement: the preceding one retires
        previous = state.refresh_tokens.get(issued.replaces)
        if previous is not None:
            previous.revoked = True
    return 200, _issue(state, policy, now, with_refresh=True, replaces=presented)


def _issue(
    state: ShopState,
    policy: TokenPolicy,
    now: datetime,
    *,
    with_refresh: bool,
    replaces: str | None = None,
) -> dict[str, Any]:
    access = "shpat_fake_" + secrets.token_hex(16)
    payload: dict[str, Any] = {"access_token": access, "scope": policy.scopes}
    if not with_refresh:
        state.access_tokens[access] = IssuedToken(expires_at=None)
        return payload
    refresh = "shprt_fake_" + secrets.token_hex(16)
    state.access_tokens[access] = IssuedToken(expires_at=now + policy.access_token_ttl)
    state.refresh_tokens[refresh] = IssuedToken(
        expires_at=now + policy.refresh_token_ttl, replaces=replaces
    )
    payload.update(
        expires_in=int(policy.access_token_ttl.total_seconds()),
        refresh_token=refresh,
        refresh_token_expires_in=int(policy.refresh_token_ttl.total_seconds()),
    )
    return payload


def access_token_ok(state: ShopState, token: str, now: datetime) -> bool:
    issued = state.access_tokens.get(token)
    return (
        issued is not None
        and not issued.revoked
        and (issued.expires_at is None or issued.expires_at > now)
    )
