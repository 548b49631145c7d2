"""The app's ShopifyApp verifier (shopifyapp), configured once from the settings."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request
from shopify_app import ShopifyApp


def init_shopify(app: Flask) -> None:
    app.extensions["shopify_app"] = ShopifyApp(
        client_id=app.config["SHOPIFY_API_KEY"],
        client_secret=app.config["SHOPIFY_API_SECRET"],
        old_client_secret=app.config.get("SHOPIFY_OLD_API_SECRET") or None,
    )


def shopify() -> ShopifyApp:
    return current_app.extensions["shopify_app"]


def request_input(body: str | None = None) -> dict[str, Any]:
    """The current Flask request in the shape shopifyapp's verifiers take."""
    return {
        "method": request.method,
        "headers": dict(request.headers.items()),
        "url": request.url,
        "body": body if body is not None else request.get_data(as_text=True),
    }
