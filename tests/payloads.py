"""Webhook payloads in the shape of Shopify's documented samples, quirks included.

Quirks the samples have and these factories can reproduce: ``email`` differing from
``customer.email``, ``product_id: null`` on custom lines, ``test: true``, ``cancelled_at`` set on
a paid order, guest checkout with ``customer: null``, money as strings and in ``*_set`` blocks.

Money as Shopify sends it: top-level amounts and ``*_set.shop_money`` are in the shop's currency
(``currency``), ``*_set.presentment_money`` in the currency the customer paid
(``presentment_currency``, at ``rate`` presentment units per shop unit), and a refund's
``transactions[].amount`` with its ``currency`` is presentment money. A store whose prices include
tax (``taxes_included: true``) keeps each line's VAT in its ``tax_lines`` and inside its price.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from plugin import clock

_ids = itertools.count(820982911946154508)
# Shopify writes a shop's timestamps with the shop's own offset; the US store's, by default.
_SHOP_ZONE = ZoneInfo("America/New_York")


def ago(days: float = 0, *, hours: float = 0, minutes: float = 0, zone: str | None = None) -> str:
    """A timestamp relative to now (``plugin.clock.now()``, moved by time-machine in tests), as
    Shopify writes it: seconds, with the shop's offset. Fixture dates never go stale this way."""
    instant = clock.now() - timedelta(days=days, hours=hours, minutes=minutes)
    return instant.astimezone(ZoneInfo(zone) if zone else _SHOP_ZONE).isoformat(timespec="seconds")


def next_id() -> int:
    return next(_ids)


ZERO_DECIMAL = ("JPY", "KRW")


def amount_text(amount: Decimal | str, currency: str) -> str:
    value = Decimal(str(amount))
    return f"{value:.0f}" if currency in ZERO_DECIMAL else f"{value:.2f}"


def money_set(
    amount: str, currency: str, presentment_currency: str | None = None, rate: Decimal | str = "1"
) -> dict[str, Any]:
    """A ``*_set`` block: ``amount`` in the shop's ``currency``, and what the customer saw in
    ``presentment_currency`` (the shop's currency when not given) at ``rate``."""
    shown = presentment_currency or currency
    presentment = (
        amount if shown == currency else amount_text(Decimal(amount) * Decimal(str(rate)), shown)
    )
    return {
        "shop_money": {"amount": amount, "currency_code": currency},
        "presentment_money": {"amount": presentment, "currency_code": shown},
    }


def address(
    country_code: str = "US", address1: str = "123 Amoebobacterium St", zip_code: str = "40003"
) -> dict[str, Any]:
    return {
        "first_name": "Jane",
        "last_name": "Smith",
        "address1": address1,
        "address2": None,
        "phone": "555-625-1199",
        "city": "Louisville",
        "zip": zip_code,
        "province": "Kentucky",
        "country": "United States",
        "company": None,
        "latitude": None,
        "longitude": None,
        "name": "Jane Smith",
        "country_code": country_code,
        "province_code": "KY",
    }


def customer(
    customer_id: int | None = None, email: str | None = "jane@example.com", **overrides: Any
) -> dict[str, Any]:
    customer_id = customer_id or next_id()
    body: dict[str, Any] = {
        "id": customer_id,
        "email": email,
        "created_at": (stamp := ago()),
        "updated_at": stamp,
        "first_name": "Jane",
        "last_name": "Smith",
        "orders_count": 0,
        "state": "enabled",
        "total_spent": "0.00",
        "last_order_id": None,
        "note": None,
        "verified_email": False,
        "multipass_identifier": None,
        "tax_exempt": False,
        "tags": "",
        "last_order_name": None,
        "currency": "USD",
        "phone": None,
        "addresses": [],
        "email_marketing_consent": {
            "state": "not_subscribed",
            "opt_in_level": "single_opt_in",
            "consent_updated_at": None,
        },
        "sms_marketing_consent": None,
        "admin_graphql_api_id": f"gid://shopify/Customer/{customer_id}",
        "default_address": None,
    }
    body.update(overrides)
    return body


def line_item(
    product_id: int | None,
    price: str,
    quantity: int = 1,
    discount: str = "0.00",
    currency: str = "USD",
    title: str = "TESmart 4-port KVM switch",
    tax: str = "0.00",
    tax_rate: float = 0.0,
) -> dict[str, Any]:
    """A line; ``tax`` is the line's whole tax (all units, after discounts), as in ``tax_lines``."""
    line_id = next_id()
    allocations = (
        [
            {
                "amount": discount,
                "amount_set": money_set(discount, currency),
                "discount_application_index": 0,
            }
        ]
        if Decimal(discount) > 0
        else []
    )
    return {
        "id": line_id,
        "admin_graphql_api_id": f"gid://shopify/LineItem/{line_id}",
        "fulfillable_quantity": quantity,
        "fulfillment_service": "manual",
        "fulfillment_status": None,
        "gift_card": False,
        "grams": 1200,
        "name": title,
        "price": price,
        "price_set": money_set(price, currency),
        "product_exists": product_id is not None,
        "product_id": product_id,
        "properties": [],
        "quantity": quantity,
        "requires_shipping": True,
        "sku": "TES-KVM",
        "taxable": True,
        "title": title,
        "total_discount": "0.00",  # the samples keep line discounts in discount_allocations
        "total_discount_set": money_set("0.00", currency),
        "variant_id": next_id() if product_id else None,
        "variant_title": None,
        "vendor": "TESmart",
        "tax_lines": (
            [
                {
                    "channel_liable": False,
                    "price": tax,
                    "price_set": money_set(tax, currency),
                    "rate": tax_rate,
                    "title": "VAT",
                }
            ]
            if Decimal(tax) > 0
            else []
        ),
        "duties": [],
        "discount_allocations": allocations,
    }


def order(
    *,
    order_id: int | None = None,
    lines: list[dict[str, Any]] | None = None,
    customer_block: dict[str, Any] | None = None,
    email: str | None = None,
    currency: str = "USD",
    country: str = "US",
    created_at: str | None = None,
    processed_at: str | None = None,
    updated_at: str | None = None,
    cancelled_at: str | None = None,
    test: bool = False,
    discount_codes: list[dict[str, Any]] | None = None,
    refunds: list[dict[str, Any]] | None = None,
    shipping: str = "10.00",
    tax: str = "0.00",
    guest: bool = False,
    presentment_currency: str | None = None,
    rate: Decimal | str = "1",
    taxes_included: bool = False,
) -> dict[str, Any]:
    """An order; with ``taxes_included`` the lines' ``tax_lines`` are inside their prices (and the
    subtotal), else ``tax`` is added on top. ``presentment_currency``/``rate``: see the module."""
    order_id = order_id or next_id()
    created_at = created_at or ago()
    lines = lines if lines is not None else []
    shown = presentment_currency or currency

    def mset(amount: str) -> dict[str, Any]:
        return money_set(amount, currency, shown, rate)

    for li in lines:  # the lines' blocks carry the same presentment money as the order
        for key in ("price_set", "total_discount_set"):
            li[key] = mset(li[key]["shop_money"]["amount"])
        for allocation in li["discount_allocations"]:
            allocation["amount_set"] = mset(allocation["amount"])
        for tax_line in li["tax_lines"]:
            tax_line["price_set"] = mset(tax_line["price"])
    subtotal = sum(
        (
            Decimal(li["price"]) * li["quantity"]
            - sum((Decimal(a["amount"]) for a in li["discount_allocations"]), Decimal(0))
            for li in lines
        ),
        Decimal(0),
    )
    subtotal_text = amount_text(subtotal, currency)
    if taxes_included:
        tax = amount_text(
            sum((Decimal(t["price"]) for li in lines for t in li["tax_lines"]), Decimal(0)),
            currency,
        )
        total = subtotal + Decimal(shipping)
    else:
        total = subtotal + Decimal(shipping) + Decimal(tax)
    total_text = amount_text(total, currency)
    cust = None if guest else (customer_block or customer())
    return {
        "id": order_id,
        "admin_graphql_api_id": f"gid://shopify/Order/{order_id}",
        "app_id": None,
        "browser_ip": None,
        "buyer_accepts_marketing": True,
        "cancel_reason": "customer" if cancelled_at else None,
        "cancelled_at": cancelled_at,
        "cart_token": None,
        "checkout_id": None,
        "closed_at": None,
        "confirmed": True,
        "contact_email": email if email is not None else (cust or {}).get("email"),
        "created_at": created_at,
        "currency": currency,
        "current_subtotal_price": subtotal_text,
        "current_subtotal_price_set": mset(subtotal_text),
        "current_total_price": total_text,
        "current_total_price_set": mset(total_text),
        "customer_locale": "en",
        "discount_codes": discount_codes or [],
        "email": email if email is not None else (cust or {}).get("email"),
        "estimated_taxes": False,
        "financial_status": "paid",
        "fulfillment_status": None,
        "landing_site": None,
        "name": f"#{order_id % 100000}",
        "note": None,
        "number": order_id % 100000,
        "order_number": 1000 + order_id % 100000,
        "payment_gateway_names": ["visa", "bogus"],
        "phone": None,
        "presentment_currency": shown,
        "processed_at": processed_at or created_at,
        "source_name": "web",
        "subtotal_price": subtotal_text,
        "subtotal_price_set": mset(subtotal_text),
        "tags": "",
        "taxes_included": taxes_included,
        "current_total_tax": tax,
        "current_total_tax_set": mset(tax),
        "test": test,
        "total_discounts": "0.00",
        "total_price": total_text,
        "total_price_set": mset(total_text),
        "total_shipping_price_set": mset(shipping),
        "total_tax": tax,
        "total_tax_set": mset(tax),
        "updated_at": updated_at or created_at,
        "user_id": None,
        "billing_address": address(country),
        "customer": cust,
        "discount_applications": [],
        "fulfillments": [],
        "line_items": lines,
        "payment_terms": None,
        "refunds": refunds or [],
        "shipping_address": address(country),
        "shipping_lines": [
            {"id": next_id(), "price": shipping, "price_set": mset(shipping), "title": "Standard"}
        ],
    }


def refund(
    order_payload: dict[str, Any],
    amount: str,
    *,
    refund_id: int | None = None,
    lines: list[tuple[dict[str, Any], int]] | None = None,
    created_at: str | None = None,
    status: str = "success",
    adjustments: list[str] | None = None,
) -> dict[str, Any]:
    """A refund of ``amount`` in the currency the customer paid (the order's
    ``presentment_currency``), as its transaction carries it; refunded lines and
    ``adjustments`` (order_adjustments amounts, shop money) carry both currencies."""
    refund_id = refund_id or next_id()
    created_at = created_at or ago()
    currency = order_payload["currency"]
    shown = order_payload.get("presentment_currency") or currency
    shop_total = Decimal(order_payload["total_price_set"]["shop_money"]["amount"])
    shown_total = Decimal(order_payload["total_price_set"]["presentment_money"]["amount"])
    rate = shown_total / shop_total if shop_total else Decimal(1)

    def mset(value: Decimal | str) -> dict[str, Any]:
        return money_set(amount_text(value, currency), currency, shown, rate)

    def line_subtotal(li: dict[str, Any], qty: int) -> Decimal:
        discount = sum((Decimal(a["amount"]) for a in li["discount_allocations"]), Decimal(0))
        return (Decimal(li["price"]) * li["quantity"] - discount) * qty / li["quantity"]

    def line_tax(li: dict[str, Any], qty: int) -> Decimal:
        return (
            sum((Decimal(t["price"]) for t in li["tax_lines"]), Decimal(0)) * qty / li["quantity"]
        )

    return {
        "id": refund_id,
        "order_id": order_payload["id"],
        "created_at": created_at,
        "note": "it broke during shipping",
        "user_id": None,
        "processed_at": created_at,
        "restock": False,
        "duties": [],
        "total_duties_set": mset("0"),
        "return": None,
        "refund_line_items": [
            {
                "id": next_id(),
                "quantity": qty,
                "line_item_id": li["id"],
                "location_id": None,
                "restock_type": "no_restock",
                # Shopify: in a tax-inclusive store the subtotal includes the tax, which
                # total_tax repeats; elsewhere the tax comes on top.
                "subtotal": amount_text(line_subtotal(li, qty), currency),
                "total_tax": amount_text(line_tax(li, qty), currency),
                "subtotal_set": mset(line_subtotal(li, qty)),
                "total_tax_set": mset(line_tax(li, qty)),
                "line_item": li,
            }
            for li, qty in (lines or [])
        ],
        "transactions": [
            {
                "id": next_id(),
                "order_id": order_payload["id"],
                "kind": "refund",
                "gateway": "bogus",
                "status": status,
                "message": "Bogus Gateway: Forced success" if status == "success" else None,
                "created_at": created_at,
                "test": False,
                "authorization": None,
                "location_id": None,
                "user_id": None,
                "parent_id": next_id(),
                "processed_at": created_at,
                "device_id": None,
                "error_code": None,
                "source_name": "web",
                "receipt": {},
                "amount": amount,
                "currency": shown,
                "payment_id": "c901414060.1",
                "total_unsettled_set": money_set("0.00", currency, shown, rate),
                "manual_payment_gateway": False,
                "admin_graphql_api_id": "gid://shopify/OrderTransaction/1",
            }
        ],
        "order_adjustments": [
            {
                "id": next_id(),
                "order_id": order_payload["id"],
                "refund_id": refund_id,
                "amount": adjustment,
                "tax_amount": amount_text("0", currency),
                "kind": "refund_discrepancy",
                "reason": "Refund discrepancy",
                "amount_set": mset(adjustment),
                "tax_amount_set": mset("0"),
            }
            for adjustment in adjustments or []
        ],
        "admin_graphql_api_id": f"gid://shopify/Refund/{refund_id}",
    }


def product(
    product_id: int | None = None,
    *,
    title: str = "TESmart 4-port KVM switch",
    product_type: str = "KVM Switch",
    tags: str = "hdmi, 4k",
    updated_at: str | None = None,
) -> dict[str, Any]:
    product_id = product_id or next_id()
    updated_at = updated_at or ago(30)
    created_at = ago(330)
    return {
        "admin_graphql_api_id": f"gid://shopify/Product/{product_id}",
        "body_html": "A KVM switch.",
        "created_at": created_at,
        "handle": f"kvm-{product_id}",
        "id": product_id,
        "product_type": product_type,
        "published_at": created_at,
        "template_suffix": None,
        "title": title,
        "updated_at": updated_at,
        "vendor": "TESmart",
        "status": "active",
        "published_scope": "web",
        "tags": tags,
        "variants": [],
        "options": [],
        "images": [],
        "image": None,
        "media": [],
        "variant_gids": [],
    }


def consent(
    customer_id: int, email: str, state: str = "subscribed", at: str | None = None
) -> dict[str, Any]:
    at = at or ago()
    return {
        "customer_id": customer_id,
        "email_address": email,
        "email_marketing_consent": {
            "state": state,
            "opt_in_level": "confirmed_opt_in",
            "consent_updated_at": at,
        },
    }


def compliance_customer(shop_domain: str, customer_id: int, email: str) -> dict[str, Any]:
    return {
        "shop_id": 954889,
        "shop_domain": shop_domain,
        "customer": {"id": customer_id, "email": email, "phone": "555-625-1199"},
        "orders_requested": [299938, 280263],
        "orders_to_redact": [299938],
        "data_request": {"id": 9999},
    }


def shop(
    domain: str, *, shop_id: int = 548380009, primary_domain: str | None = None
) -> dict[str, Any]:
    """The Shop object app/uninstalled carries (Shopify's sample, trimmed): `domain` is the
    store's primary domain, `myshopify_domain` the shop itself."""
    handle = domain.removesuffix(".myshopify.com")
    return {
        "id": shop_id,
        "name": handle,
        "email": "owner@example.com",
        "domain": primary_domain or domain,
        "province": "Kentucky",
        "country": "US",
        "address1": "1 Infinite Loop",
        "zip": "40003",
        "city": "Louisville",
        "source": None,
        "phone": "1231231234",
        "latitude": None,
        "longitude": None,
        "primary_locale": "en",
        "address2": None,
        "created_at": None,
        "updated_at": None,
        "country_code": "US",
        "country_name": "United States",
        "currency": "USD",
        "customer_email": "customers@example.com",
        "timezone": "(GMT-05:00) Eastern Time (US & Canada)",
        "iana_timezone": "America/New_York",
        "shop_owner": "TESmart",
        "money_format": "${{amount}}",
        "weight_unit": "kg",
        "province_code": "KY",
        "taxes_included": False,
        "myshopify_domain": domain,
        "plan_name": "shopify_plus",
        "has_storefront": True,
    }


def shop_redact(domain: str, shop_id: int = 954889) -> dict[str, Any]:
    return {"shop_id": shop_id, "shop_domain": domain}


def scopes_update(current: list[str], previous: list[str] | None = None) -> dict[str, Any]:
    return {
        "id": next_id(),
        "previous": previous or [],
        "current": current,
        "updated_at": "2026-11-21T09:00:00-05:00",
    }
