"""The topics the app subscribes to and the handler of each: the one list.

shopify.app.toml subscribes to exactly these topics and the API description names exactly these
(tests/webhooks/test_topics.py holds them to it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from plugin.models import Shop
from webhooks.handlers import app, compliance, customers, orders, products, refunds

Handler = Callable[[Shop, dict[str, Any]], None]

COMPLIANCE_TOPICS = frozenset({"customers/data_request", "customers/redact", "shop/redact"})

HANDLERS: dict[str, Handler] = {
    "orders/paid": orders.paid,
    "orders/cancelled": orders.cancelled,
    "orders/fulfilled": orders.fulfilled,
    "refunds/create": refunds.create,
    "customers/create": customers.create,
    "customers/update": customers.update,
    "customers_email_marketing_consent/update": customers.marketing_consent,
    "products/create": products.upsert,
    "products/update": products.upsert,
    "app/uninstalled": app.uninstalled,
    "app/scopes_update": app.scopes_update,
    "customers/data_request": compliance.data_request,
    "customers/redact": compliance.customer_redact,
    "shop/redact": compliance.shop_redact,
}

TOPICS = frozenset(HANDLERS)


def handlers() -> dict[str, Handler]:
    return HANDLERS
