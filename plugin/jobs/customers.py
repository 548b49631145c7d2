"""Customers the storefront sees before their webhook arrived: read them from the Admin API."""

from __future__ import annotations

from datetime import datetime

from plugin.accounts import activate, member_for_customer
from plugin.database.transaction import unit_of_work
from plugin.extensions import db
from plugin.members.customers import apply_customer
from plugin.models import Shop
from plugin.shopify.admin_api import admin_client
from plugin.shopify.payloads import CustomerSnapshot


def sync_seen_customer(shop_id: int, customer_id: str, seen_at_iso: str) -> str:
    """A logged-in customer unknown to the app: fetch, link, and activate as seen at ``seen_at``."""
    shop = db.session.get(Shop, shop_id)
    if shop is None or not shop.installed:
        return "no-shop"
    data = admin_client(shop).execute(
        "CustomerGet", {"id": f"gid://shopify/Customer/{customer_id}"}
    )
    node = data.get("customer")
    if not node:
        return "not-found"
    with unit_of_work():
        apply_customer(shop, CustomerSnapshot.from_graphql(node), created=False)
        member = member_for_customer(shop, customer_id)
        if member is not None and member.state == "open":
            activate(member, datetime.fromisoformat(seen_at_iso), "storefront_login", shop=shop)
    return "synced"
