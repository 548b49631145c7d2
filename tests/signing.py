"""How Shopify signs what it sends, reproduced for tests (the app verifies with shopifyapp)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any
from urllib.parse import urlencode

import jwt

API_KEY = "test-client-id"
API_SECRET = "test-client-secret-0123456789abcdef"


def webhook_headers(
    topic: str,
    body: bytes,
    shop: str,
    *,
    secret: str = API_SECRET,
    webhook_id: str | None = None,
    **extra: str,
) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": base64.b64encode(digest).decode(),
        "X-Shopify-Shop-Domain": shop,
        "X-Shopify-API-Version": "2026-07",
        "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
        "X-Shopify-Event-Id": str(uuid.uuid4()),
        "X-Shopify-Triggered-At": "2026-11-22T10:00:00.000Z",
    }
    headers.update(extra)
    return headers


def webhook_body(payload: Any) -> bytes:
    return json.dumps(payload).encode()


def proxy_query(
    shop: str,
    customer_id: str | None = None,
    *,
    secret: str = API_SECRET,
    timestamp: int | None = None,
    extra: dict[str, str] | None = None,
) -> str:
    """The query string Shopify's app proxy appends: sorted key=value, no separator, hex HMAC."""
    params = {
        "shop": shop,
        "logged_in_customer_id": customer_id or "",
        "path_prefix": "/apps/tesmart",
        "timestamp": str(timestamp if timestamp is not None else int(time.time())),
        **(extra or {}),
    }
    message = "".join(f"{k}={v}" for k, v in sorted(params.items()))
    params["signature"] = hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()
    return urlencode(params)


def session_token(
    shop: str,
    *,
    secret: str = API_SECRET,
    api_key: str = API_KEY,
    sub: str = "42",
    expires_in: int = 60,
    **claims: Any,
) -> str:
    """An App Home / UI extension session token (JWT HS256 with the client secret)."""
    now = int(time.time())
    payload = {
        "iss": f"https://{shop}/admin",
        "dest": f"https://{shop}",
        "aud": api_key,
        "sub": sub,
        "exp": now + expires_in,
        "nbf": now - 5,
        "iat": now - 5,
        "jti": str(uuid.uuid4()),
        "sid": str(uuid.uuid4()),
        **claims,
    }
    return jwt.encode(payload, secret, algorithm="HS256")
