"""Does a signed body fit the headers it came with? (invariant 8)

Shopify's HMAC covers the body only: `X-Shopify-Topic` and `X-Shopify-Shop-Domain` are not signed.
Anyone holding one signed body (a captured `products/update`, say) can post it under any topic and
any shop's domain. So a delivery is believed only when its payload has its topic's shape and every
shop it names is the header's shop; a `shop/redact` for a shop that is still installed, or an
`orders/cancelled` without its `cancelled_at`, is refused as well.

``refusal`` answers with the reason (a stable code) or None. It reads the parsed payload only; the
caller decides what a refusal is answered with (docs/architecture.md: 200, nothing done).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from plugin.models.types import MAX_ID
from plugin.shopify.payloads import timestamp

# Keys under which Shopify payloads name a shop. A Shop object's `domain` is the store's primary
# (often custom) domain, e.g. tesmart.com, so only a myshopify.com `domain` is compared.
_SHOP_KEYS = ("shop_domain", "myshopify_domain")


def bounded_id(value: Any) -> bool:
    """A Shopify id: a positive integer within BIGINT, as a number or a string of digits."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return 0 < value <= MAX_ID
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        return 0 < int(value) <= MAX_ID
    return False


def _gid_of(payload: dict[str, Any], kind: str) -> str | None:
    """None when `admin_graphql_api_id` is ``gid://shopify/<kind>/<id>``; else the reason."""
    gid = payload.get("admin_graphql_api_id")
    if gid != f"gid://shopify/{kind}/{payload.get('id')}":
        return f"not_a_{kind.lower()}"
    return None


def _resource(kind: str, *lists: str) -> Callable[[dict[str, Any]], str | None]:
    def check(payload: dict[str, Any]) -> str | None:
        if not bounded_id(payload.get("id")):
            return "invalid_id"
        if (reason := _gid_of(payload, kind)) is not None:
            return reason
        for key in lists:
            if not isinstance(payload.get(key), list):
                return f"missing_{key}"
        return None

    return check


def _cancelled_order(payload: dict[str, Any]) -> str | None:
    if (reason := _resource("Order", "line_items")(payload)) is not None:
        return reason
    # A missing cancelled_at was read as "now": an orders/paid body relabelled as a cancellation
    # took the points back. Shopify's cancellation always carries the moment.
    if timestamp(payload.get("cancelled_at")) is None:
        return "missing_cancelled_at"
    return None


def _refund(payload: dict[str, Any]) -> str | None:
    if not bounded_id(payload.get("id")) or not bounded_id(payload.get("order_id")):
        return "invalid_id"
    if (reason := _gid_of(payload, "Refund")) is not None:
        return reason
    if not isinstance(payload.get("refund_line_items"), list) or not isinstance(
        payload.get("transactions"), list
    ):
        return "not_a_refund"
    return None


def _consent(payload: dict[str, Any]) -> str | None:
    if not bounded_id(payload.get("customer_id")):
        return "invalid_id"
    if (
        not isinstance(payload.get("email_marketing_consent"), dict)
        or "email_address" not in payload
    ):
        return "not_a_consent_update"
    return None


def _shop_object(payload: dict[str, Any]) -> str | None:
    # app/uninstalled carries the Shop: it is believed only when that Shop is the header's shop.
    if not bounded_id(payload.get("id")) or not isinstance(payload.get("myshopify_domain"), str):
        return "not_a_shop"
    return None


def _scopes(payload: dict[str, Any]) -> str | None:
    current, previous = payload.get("current"), payload.get("previous")
    if not isinstance(current, list) or not isinstance(previous, list):
        return "not_a_scopes_update"
    if not all(isinstance(scope, str) for scope in current + previous):
        return "not_a_scopes_update"
    return None


def _compliance(
    *, customer: bool, orders_key: str | None = None
) -> Callable[[dict[str, Any]], str | None]:
    def check(payload: dict[str, Any]) -> str | None:
        if not isinstance(payload.get("shop_domain"), str) or not bounded_id(
            payload.get("shop_id")
        ):
            return "not_a_compliance_request"
        if customer:
            block = payload.get("customer")
            if not isinstance(block, dict) or not bounded_id(block.get("id")):
                return "not_a_compliance_request"
            if orders_key and not isinstance(payload.get(orders_key, []), list):
                return "not_a_compliance_request"
        return None

    return check


SHAPES: dict[str, Callable[[dict[str, Any]], str | None]] = {
    "orders/paid": _resource("Order", "line_items"),
    "orders/fulfilled": _resource("Order", "line_items"),
    "orders/cancelled": _cancelled_order,
    "refunds/create": _refund,
    "customers/create": _resource("Customer"),
    "customers/update": _resource("Customer"),
    "customers_email_marketing_consent/update": _consent,
    "products/create": _resource("Product"),
    "products/update": _resource("Product"),
    "app/uninstalled": _shop_object,
    "app/scopes_update": _scopes,
    "customers/data_request": _compliance(customer=True, orders_key="orders_requested"),
    "customers/redact": _compliance(customer=True, orders_key="orders_to_redact"),
    "shop/redact": _compliance(customer=False),
}


def named_shops(payload: dict[str, Any]) -> list[str]:
    """Every shop domain the payload names at its top level."""
    names = [payload[key] for key in _SHOP_KEYS if key in payload]
    domain = payload.get("domain")
    if isinstance(domain, str) and domain.strip().lower().endswith(".myshopify.com"):
        names.append(domain)
    return names


def refusal(topic: str, domain: str, payload: dict[str, Any], *, installed: bool) -> str | None:
    """Why this signed delivery is not believed, or None when it is."""
    check = SHAPES.get(topic)
    if check is None:
        return "unknown_topic"
    if (reason := check(payload)) is not None:
        return reason
    for named in named_shops(payload):
        if not isinstance(named, str) or named.strip().lower() != domain:
            return "shop_mismatch"
    if topic == "shop/redact" and installed:
        # Shopify sends shop/redact 48 hours after an uninstall, never to an installed shop.
        return "shop_still_installed"
    return None
