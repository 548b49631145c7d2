"""Customers from Shopify: TESmart IDs, sign-up and newsletter points.

Nothing here activates a TESmart ID: Shopify's ``verified_email`` defaults to true for customers
made by staff or through the API, so it proves nothing (POLICY.md 2). Activation comes from a
storefront login (plugin.storefront), the merchant, or an import.
"""

from __future__ import annotations

from typing import Any

from plugin import clock, ledger
from plugin.accounts import (
    claim_member,
    link_customer,
    member_for_customer,
)
from plugin.models import Member, Shop, ShopCustomer
from plugin.program.entries import EntryKind
from plugin.shopify.payloads import required_id, shopify_id, timestamp
from plugin.shops.settings import program_settings


def apply_customer(shop: Shop, payload: dict[str, Any], *, created: bool) -> ShopCustomer:
    """customers/create and customers/update (and reconciliation's customers)."""
    customer_id = required_id(payload)
    email = payload.get("email")
    member, member_is_new = claim_member(email) if isinstance(email, str) else (None, False)
    updated_at = timestamp(payload.get("updated_at")) or timestamp(payload.get("created_at"))
    customer = link_customer(
        shop,
        customer_id,
        member=member,
        email=email if isinstance(email, str) else None,
        first_name=payload.get("first_name"),
        last_name=payload.get("last_name"),
        updated_at=updated_at,
        member_is_new=member_is_new,
    )
    if member is not None and customer.member_id != member.id:  # a conflict: the customer's own ID
        member = member_for_customer(shop, customer_id)
    if payload.get("orders_count") is not None:
        customer.orders_count = int(payload.get("orders_count") or 0)
    if member is None:
        return customer
    rules = program_settings(shop).earning
    if created and rules.signup:
        ledger.post_entry(
            shop_id=shop.id,
            member_id=member.id,
            delta=rules.signup,
            kind=EntryKind.SIGNUP,
            cause_key=f"signup:{member.id}",
            at=timestamp(payload.get("created_at")) or clock.now(),
        )
    consent = payload.get("email_marketing_consent")
    if isinstance(consent, dict) and consent.get("state") == "subscribed":
        award_newsletter(shop, member, customer, at_text=consent.get("consent_updated_at"))
    if isinstance(payload.get("verified_email"), bool):
        customer.verified_email = payload["verified_email"]  # kept for the merchant; no proof
    return customer


def award_newsletter(
    shop: Shop, member: Member, customer: ShopCustomer | None, at_text: Any = None
) -> None:
    """100 points once per member and store, on the first subscription only (POLICY.md 3)."""
    if customer is not None:
        customer.newsletter_subscribed = True
    rules = program_settings(shop).earning
    if rules.newsletter:
        ledger.post_entry(
            shop_id=shop.id,
            member_id=member.id,
            delta=rules.newsletter,
            kind=EntryKind.NEWSLETTER,
            cause_key=f"newsletter:{member.id}",
            at=timestamp(at_text) or clock.now(),
        )


def apply_marketing_consent(shop: Shop, payload: dict[str, Any]) -> None:
    """customers_email_marketing_consent/update: {customer_id, email_address,
    email_marketing_consent}."""
    customer_id = shopify_id(payload.get("customer_id"))
    consent = payload.get("email_marketing_consent") or {}
    member = member_for_customer(shop, customer_id) if customer_id else None
    email = payload.get("email_address")
    member_is_new = False
    if member is None and isinstance(email, str):
        member, member_is_new = claim_member(email)
    customer = None
    if customer_id and member is not None:
        customer = link_customer(
            shop,
            customer_id,
            member=member,
            email=email if isinstance(email, str) else None,
            member_is_new=member_is_new,
        )
    if member is None:
        return
    if isinstance(consent, dict) and consent.get("state") == "subscribed":
        award_newsletter(shop, member, customer, at_text=consent.get("consent_updated_at"))
    elif customer is not None:
        customer.newsletter_subscribed = False
