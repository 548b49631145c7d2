"""Reconciliation: heal lost webhooks by reading what changed through the Admin API.

Orders and customers updated since the shop's cursor are turned into the REST shape the webhook
handlers read and applied by the same services, so a lost delivery is healed and a duplicate is
harmless (everything downstream is idempotent per cause).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from plugin import clock
from plugin.extensions import db
from plugin.jobs.periodic import periodic
from plugin.models import Shop
from plugin.services import customers, orders
from plugin.services.admin_api import admin_client, product_fetcher
from plugin.services.shopify_payload import shopify_id, timestamp

log = logging.getLogger(__name__)

OVERLAP = timedelta(minutes=5)  # Shopify's updated_at index is eventually consistent
EVERY = timedelta(minutes=15)
MAX_PAGES = 20  # a run stays bounded; the cursor continues where it stopped


def _amount(block: Any) -> str | None:
    if isinstance(block, dict):
        money = block.get("shopMoney") or {}
        return money.get("amount")
    return None


def order_payload(node: dict[str, Any]) -> dict[str, Any]:
    """An Order node of OrdersUpdatedSince in the shape of an orders/* webhook."""
    lines = []
    for line in (node.get("lineItems") or {}).get("nodes") or []:
        original = Decimal(_amount(line.get("originalUnitPriceSet")) or "0")
        after = Decimal(_amount(line.get("discountedUnitPriceAfterAllDiscountsSet")) or str(original))
        quantity = int(line.get("quantity") or 0)
        product = line.get("product") or {}
        lines.append({
            "id": shopify_id(line.get("id")),
            "product_id": shopify_id(product.get("id")),
            "title": product.get("title") or "",
            "price": str(original),
            "quantity": quantity,
            "total_discount": str((original - after) * quantity),
            "discount_allocations": [],
        })
    customer = node.get("customer") or None
    refunds = [
        {
            "id": shopify_id(refund.get("id")),
            "created_at": refund.get("createdAt"),
            "transactions": [{"kind": "refund", "status": "success", "amount": _amount(refund.get("totalRefundedSet")) or "0"}],
            "refund_line_items": [
                {"line_item_id": shopify_id((item.get("lineItem") or {}).get("id")), "quantity": item.get("quantity")}
                for item in (refund.get("refundLineItems") or {}).get("nodes") or []
            ],
        }
        for refund in node.get("refunds") or []
    ]
    address = node.get("shippingAddress") or {}
    return {
        "id": shopify_id(node.get("id")),
        "name": node.get("name"),
        "email": node.get("email"),
        "created_at": node.get("createdAt"),
        "processed_at": node.get("processedAt"),
        "updated_at": node.get("updatedAt"),
        "cancelled_at": node.get("cancelledAt"),
        "currency": node.get("currencyCode"),
        "test": bool(node.get("test")),
        "total_price": _amount(node.get("totalPriceSet")),
        "subtotal_price": _amount(node.get("subtotalPriceSet")),
        "current_subtotal_price": _amount(node.get("subtotalPriceSet")),
        "discount_codes": [{"code": code} for code in node.get("discountCodes") or []],
        "customer": (
            {"id": shopify_id(customer.get("id")), "email": (customer.get("defaultEmailAddress") or {}).get("emailAddress")}
            if customer else None
        ),
        "shipping_address": {"address1": address.get("address1"), "zip": address.get("zip"), "country_code": address.get("countryCodeV2")} if address else None,
        "line_items": lines,
        "refunds": refunds,
        "fulfillments": [
            {"created_at": f.get("createdAt"), "delivered_at": f.get("deliveredAt"), "status": f.get("status")}
            for f in node.get("fulfillments") or []
        ],
        "financial_status": (node.get("displayFinancialStatus") or "").lower(),
    }


def customer_payload(node: dict[str, Any]) -> dict[str, Any]:
    email = node.get("defaultEmailAddress") or {}
    state = (email.get("marketingState") or "").lower()
    return {
        "id": shopify_id(node.get("id")),
        "email": email.get("emailAddress"),
        "created_at": node.get("createdAt"),
        "updated_at": node.get("updatedAt"),
        "verified_email": bool(node.get("verifiedEmail")),
        "email_marketing_consent": {"state": state, "consent_updated_at": email.get("marketingUpdatedAt")},
    }


PAID_STATES = {"paid", "partially_refunded", "refunded"}


def apply_order(shop: Shop, payload: dict[str, Any]) -> None:
    if payload["financial_status"] in PAID_STATES:
        orders.apply_paid(shop, payload, fetch_product=product_fetcher(shop))
    if payload.get("cancelled_at"):
        orders.apply_cancelled(shop, payload)
    if payload.get("fulfillments"):
        orders.apply_fulfilled(shop, payload)


def reconcile_shop(shop: Shop, now: datetime | None = None) -> dict[str, int]:
    """Apply every order and customer changed since the cursor; advance the cursor."""
    now = now or clock.now()
    since = (shop.last_reconciled_at or shop.installed_at or now) - OVERLAP
    query = f"updated_at:>'{since.strftime('%Y-%m-%dT%H:%M:%SZ')}'"
    client = admin_client(shop)
    counts = {"orders": 0, "customers": 0}
    newest = since
    complete = True
    for operation, root, apply in (
        ("CustomersUpdatedSince", "customers", _apply_customer),
        ("OrdersUpdatedSince", "orders", apply_order),
    ):
        after = None
        for _page in range(MAX_PAGES):
            data = client.execute(operation, {"query": query, "after": after})
            connection = data.get(root) or {}
            for node in connection.get("nodes") or []:
                payload = order_payload(node) if root == "orders" else customer_payload(node)
                apply(shop, payload)
                counts[root] += 1
                updated = timestamp(node.get("updatedAt"))
                if updated and updated > newest:
                    newest = updated
            from plugin.services import outbox

            outbox.commit()
            page = connection.get("pageInfo") or {}
            if not page.get("hasNextPage"):
                break
            after = page.get("endCursor")
        else:
            complete = False
    shop.last_reconciled_at = now if complete else newest
    db.session.commit()
    return counts


def _apply_customer(shop: Shop, payload: dict[str, Any]) -> None:
    created = timestamp(payload.get("created_at"))
    # Sign-up points only for accounts created since the app was installed.
    is_new = bool(created and shop.installed_at and created >= shop.installed_at)
    customers.apply_customer(shop, payload, created=is_new)


def reconcile_all(domain: str | None = None) -> dict[str, Any]:
    from plugin.services.shops import find_shop, installed_shops

    shops = [find_shop(domain)] if domain else installed_shops()
    results: dict[str, Any] = {}
    for shop in shops:
        if shop is None:
            continue
        try:
            results[shop.domain] = reconcile_shop(shop)
        except Exception as exc:  # one shop's trouble must not stop the others
            db.session.rollback()
            log.exception("reconciliation of %s failed", shop.domain)
            results[shop.domain] = {"error": str(exc)}
    return results


@periodic("reconcile")
def reconcile_due() -> int:
    cutoff = clock.now() - EVERY
    due = db.session.execute(
        select(Shop.domain).where(Shop.uninstalled_at.is_(None), (Shop.last_reconciled_at.is_(None)) | (Shop.last_reconciled_at < cutoff))
    ).scalars().all()
    for domain in due:
        reconcile_all(domain)
    return len(due)
