"""Customers from Shopify: TESmart IDs, sign-up and newsletter points.

Nothing here activates a TESmart ID: Shopify's ``verified_email`` defaults to true for customers
made by staff or through the API, so it proves nothing (POLICY.md 2). Activation comes from a
storefront login (plugin.storefront), the merchant, or an import.
"""

from __future__ import annotations

from datetime import datetime

from plugin import clock, ledger
from plugin.accounts import (
    claim_member,
    link_customer,
    member_for_customer,
)
from plugin.models import Member, Shop, ShopCustomer
from plugin.program.entries import EntryKind
from plugin.shopify.payloads import ConsentSnapshot, CustomerSnapshot
from plugin.shops.settings import program_settings


def apply_customer(shop: Shop, snapshot: CustomerSnapshot, *, created: bool) -> ShopCustomer:
    """customers/create and customers/update (and reconciliation's customers)."""
    customer_id = snapshot.id
    email = snapshot.email
    member, member_is_new = claim_member(email) if email is not None else (None, False)
    customer = link_customer(
        shop,
        customer_id,
        member=member,
        email=email,
        first_name=snapshot.first_name,
        last_name=snapshot.last_name,
        updated_at=snapshot.updated_at or snapshot.created_at,
        member_is_new=member_is_new,
    )
    if member is not None and customer.member_id != member.id:  # a conflict: the customer's own ID
        member = member_for_customer(shop, customer_id)
    if snapshot.orders_count is not None:
        customer.orders_count = snapshot.orders_count
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
            at=snapshot.created_at or clock.now(),
        )
    if snapshot.marketing is not None and snapshot.marketing.subscribed:
        award_newsletter(shop, member, customer, at=snapshot.marketing.updated_at)
    if snapshot.verified_email is not None:
        customer.verified_email = snapshot.verified_email  # kept for the merchant; no proof
    return customer


def award_newsletter(
    shop: Shop, member: Member, customer: ShopCustomer | None, at: datetime | None = None
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
            at=at or clock.now(),
        )


def apply_marketing_consent(shop: Shop, snapshot: ConsentSnapshot) -> None:
    """customers_email_marketing_consent/update."""
    customer_id = snapshot.customer_id
    member = member_for_customer(shop, customer_id) if customer_id else None
    email = snapshot.email
    member_is_new = False
    if member is None and email is not None:
        member, member_is_new = claim_member(email)
    customer = None
    if customer_id and member is not None:
        customer = link_customer(
            shop,
            customer_id,
            member=member,
            email=email,
            member_is_new=member_is_new,
        )
    if member is None:
        return
    if snapshot.marketing is not None and snapshot.marketing.subscribed:
        award_newsletter(shop, member, customer, at=snapshot.marketing.updated_at)
    elif customer is not None:
        customer.newsletter_subscribed = False
