"""The topics the app subscribes to (shopify.app.toml) and the handler of each."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from plugin.models import Shop

Handler = Callable[[Shop, dict[str, Any]], None]

COMPLIANCE_TOPICS = frozenset({"customers/data_request", "customers/redact", "shop/redact"})


def handlers() -> dict[str, Handler]:
    # Local: the receiver reads the topic list when it loads; the handlers, and the domain they
    # import, load when a job first needs them.
    from webhooks.handlers import app, compliance, customers, orders, products, refunds

    return {
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


TOPICS = (
    frozenset(
        {
            "orders/paid",
            "orders/cancelled",
            "orders/fulfilled",
            "refunds/create",
            "customers/create",
            "customers/update",
            "customers_email_marketing_consent/update",
            "products/create",
            "products/update",
            "app/uninstalled",
            "app/scopes_update",
        }
    )
    | COMPLIANCE_TOPICS
)
