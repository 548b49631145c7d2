"""The app's ShopifyApp verifier (shopifyapp), configured once from the settings."""

from __future__ import annotations

from typing import cast

from flask import Flask, current_app, request
from shopify_app import ShopifyApp
from shopify_app.types import RequestInput
from shopify_app.verify import (
    _body_hmac_in_header,
    _non_exchangeable_id_token,
    admin_ui_ext,
    app_home_req,
    app_proxy,
    pos_ui_ext,
)

# shopifyapp's verifier modules, each with its own name for the log redaction.
_VERIFIER_MODULES = (
    _body_hmac_in_header,
    _non_exchangeable_id_token,
    app_proxy,
    app_home_req,
    admin_ui_ext,
    pos_ui_ext,
)


def _safe_log_redaction() -> None:
    """shopifyapp builds each verifier's log record first, and that record's redaction parses the
    body with ``json.loads`` and serialises it again. The app reads only a record's ``code`` and
    logs no request bodies, so the verifiers' records carry none: the redaction is handed the
    request without its ``body`` key and never parses it. For a webhook that was a fifth of the
    receiver's own CPU (an order parsed and re-serialised for a record nobody reads), and it was
    where an unsigned body of 100,000 ``[`` (RecursionError) or ``{"id": <5,000 digits>}``
    (ValueError) became a 500 before the signature was ever checked, the library catching
    ``JSONDecodeError`` only. The verification itself reads the request it was given, body and all.
    """
    from shopify_app.utils import redact

    original = redact.redact_http_log
    if original.__module__ == __name__:  # patched already (our wrapper below)
        return

    def redact_http_log(req: RequestInput) -> RequestInput:
        try:
            # Without its body (the key is required by the type, not read by the redaction). A URL
            # without a query (a webhook's path) has no parameter to mask: the library's three
            # regular expressions over it are skipped, and the record keeps it as it was.
            url = req.get("url")
            plain = isinstance(url, str) and "?" not in url
            trimmed = {k: v for k, v in req.items() if k != "body" and not (plain and k == "url")}
            record = original(cast(RequestInput, trimmed))
            if plain:
                record["url"] = url
            return record
        except Exception:  # noqa: BLE001 - a log record must never fail the request
            return {**req, "body": ""}

    for module in _VERIFIER_MODULES:
        if hasattr(module, "redact_http_log"):
            # A patch of the library's module: an attribute the checker cannot see it has.
            module.redact_http_log = redact_http_log  # type: ignore[attr-defined]


def init_shopify(app: Flask) -> None:
    _safe_log_redaction()
    app.extensions["shopify_app"] = ShopifyApp(
        client_id=app.config["SHOPIFY_API_KEY"],
        client_secret=app.config["SHOPIFY_API_SECRET"],
        old_client_secret=app.config.get("SHOPIFY_OLD_API_SECRET") or None,
    )


def shopify() -> ShopifyApp:
    configured: ShopifyApp = current_app.extensions["shopify_app"]
    return configured


def request_input(body: str | None = None) -> RequestInput:
    """The current Flask request in the shape shopifyapp's verifiers take."""
    return {
        "method": request.method,
        "headers": dict(request.headers.items()),
        "url": request.url,
        "body": body if body is not None else request.get_data(as_text=True),
    }
