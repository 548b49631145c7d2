"""The boundary to Shopify.

Everything the app says to Shopify's Admin API goes through this package: the GraphQL documents
(``graphql/*.graphql``, one operation each, validated against Shopify's published schema), the
throttle-aware client (``client.AdminClient``), token exchange, refresh and encryption at rest
(``tokens``), and a fake Admin API for tests and the local demo (``fake``).

Importing this package is cheap: the schema is loaded only by ``schema`` (and the fake) on first
use.
"""

from __future__ import annotations

# The one Admin API version the app speaks. `[webhooks] api_version` in shopify.app.toml matches it
# (pinned by tests/shopify/test_operations.py).
API_VERSION = "2026-07"

__all__ = ["API_VERSION"]
