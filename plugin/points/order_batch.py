"""orders/paid for a drained batch, set-based: the common case of many paid orders applied in a
handful of statements per batch instead of a dozen per order.

``apply_paid_orders`` takes a run of one shop's ``orders/paid`` deliveries from the worker's batch
(``plugin.jobs.process_webhooks``) and writes, for those it takes, exactly the rows
``orders.apply_paid`` and the handler would write one after the other: the TESmart IDs of new
emails, the shop customers' links, the orders, the ledger entries and wallets
(``ledger.post_entries``), the devices and the outbox items the entries tell of. It reads what they
all need once (the members of their emails, their customers, which of their orders exist), decides
in Python with the program's own rules, and writes each table in one multi-row statement.

It takes only what it can write exactly alike, and leaves everything else to the per-event path
(the deliveries' keys it returns, in their order): an order already known (a duplicate delivery, a
refund or another topic first), a refund or a cancellation in the payload, discount codes (reward
and referral codes), a referral visit, a redacted customer, a customer linked to another TESmart
ID, an ID that is not open, a gift campaign, VIP tiers, a product the catalogue lacks, a bulk
line, anything that does not parse. Deliveries left over that touch the same order, customer,
email, member or line as a later one keep that later one out too, so the per-event path applies
them in their order; the rest share no row with the ones taken and come out the same in any
order. A row another transaction wrote between the reads and the writes raises ``Conflict``: the
caller rolls the savepoint back and applies the run per event.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from plugin import clock, ledger
from plugin.accounts import normalize_email
from plugin.database import batch
from plugin.database.idempotent import insert_many_once
from plugin.database.sets import one_of
from plugin.extensions import db
from plugin.models import Device, Member, Order, Product, Shop, ShopCustomer, Wallet
from plugin.points.campaigns import campaigns_in_force, multiplier_of
from plugin.points.orders import (
    MAX_DEVICE_UNITS_PER_LINE,
    currency_of,
    net_amount,
    order_email,
    unit_amounts,
)
from plugin.program.campaigns import campaign_applies
from plugin.program.categories import WARRANTY_CATEGORIES
from plugin.program.earning import clawback_points, order_points
from plugin.program.entries import EntryKind
from plugin.program.money import quantize
from plugin.rewards import tiers
from plugin.shopify.payloads import OrderSnapshot
from plugin.shops.settings import program_settings

log = logging.getLogger(__name__)

TOPIC = "orders/paid"


class Conflict(Exception):
    """A row read as missing was written meanwhile by another transaction."""


@dataclass
class _Delivery:
    key: int
    snapshot: OrderSnapshot | None  # None: it does not parse (the per-event path reports it)
    takeable: bool  # its shape is one this path writes
    email: str | None = None  # the email the TESmart ID follows, as given
    normalized: str | None = None
    keys: set[tuple[str, Any]] = field(default_factory=set)  # the rows it touches


def _parsed(key: int, payload: dict[str, Any], shop: Shop) -> _Delivery:
    try:
        snapshot = OrderSnapshot.from_webhook(payload)
    except Exception:  # the per-event path raises it again, in its savepoint
        return _Delivery(key, None, False)
    delivery = _Delivery(key, snapshot, False)
    delivery.keys.add(("order", snapshot.id))
    for candidate in snapshot.emails:
        normalized = normalize_email(candidate)
        if normalized:
            delivery.keys.add(("email", normalized))
    for line in snapshot.line_items:
        if line.id is not None:
            delivery.keys.add(("line", line.id))
    customer = snapshot.customer
    if customer is not None and customer.id:
        delivery.keys.add(("customer", customer.id))
    email = order_email(snapshot)
    delivery.email, delivery.normalized = email, normalize_email(email) if email else None
    delivery.takeable = _takeable(shop, snapshot, delivery.normalized)
    return delivery


def _takeable(shop: Shop, snapshot: OrderSnapshot, normalized: str | None) -> bool:
    """The payload's own shape is one written here (the database's facts are checked later)."""
    customer = snapshot.customer
    if customer is None or not customer.id or normalized is None:
        return False
    if snapshot.refunds or snapshot.cancelled_at or snapshot.discount_codes:
        return False
    if not all(isinstance(v, str | None) for v in (customer.email, customer.first_name)):
        return False
    if not isinstance(customer.last_name, str | None):
        return False
    redacted = batch.known("redacted") or {}
    visited = batch.known("referrals") or {}
    if redacted.get((shop.id, customer.id)) is not False:
        return False
    if visited.get((shop.id, customer.id)) is not False:
        return False
    products = batch.known("products") or {}
    for line in snapshot.line_items:
        if line.product_id is None or line.id is None:
            continue  # a custom item: no product, no device, as in the per-event path
        if products.get((shop.id, line.product_id)) is None:
            return False  # not in the catalogue: the per-event path fetches it
        if line.quantity is None or line.quantity > MAX_DEVICE_UNITS_PER_LINE:
            return False
    return True


@dataclass
class _Known:
    members: dict[str, Any]  # email_normalized -> (id, state, activated_at)
    customers: dict[str, Any]  # customer_id -> its row's columns
    orders: set[str]


_CUSTOMER_COLUMNS = (
    ShopCustomer.customer_id,
    ShopCustomer.member_id,
    ShopCustomer.email,
    ShopCustomer.first_name,
    ShopCustomer.last_name,
    ShopCustomer.shopify_updated_at,
    ShopCustomer.conflicting_email,
    ShopCustomer.email_conflict_at,
)


_LINK_COLUMNS = (
    "member_id",
    "email",
    "first_name",
    "last_name",
    "shopify_updated_at",
    "conflicting_email",
    "email_conflict_at",
)


def _read(shop: Shop, deliveries: list[_Delivery]) -> _Known:
    emails = sorted({k[1] for d in deliveries for k in d.keys if k[0] == "email"})
    customer_ids = sorted({k[1] for d in deliveries for k in d.keys if k[0] == "customer"})
    order_ids = sorted({k[1] for d in deliveries for k in d.keys if k[0] == "order"})
    members = {
        row.email_normalized: row
        for row in db.session.execute(
            select(Member.id, Member.email_normalized, Member.state, Member.activated_at).where(
                one_of(Member.email_normalized, emails)
            )
        ).all()
    }
    # Locked in a stable order, as the per-event path locks each one (two workers' batches of the
    # same customers wait for each other instead of deadlocking).
    customers = {
        row.customer_id: row
        for row in db.session.execute(
            select(*_CUSTOMER_COLUMNS)
            .where(ShopCustomer.shop_id == shop.id, one_of(ShopCustomer.customer_id, customer_ids))
            .order_by(ShopCustomer.customer_id)
            .with_for_update()
        ).all()
    }
    orders = set(
        db.session.execute(
            select(Order.order_id).where(
                Order.shop_id == shop.id, one_of(Order.order_id, order_ids)
            )
        ).scalars()
    )
    return _Known(members, customers, orders)


@dataclass
class _Plan:
    delivery: _Delivery
    snapshot: OrderSnapshot
    member_id: int | None  # None: a TESmart ID created with this order
    points: int
    paid_at: datetime


def _plan(shop: Shop, delivery: _Delivery, known: _Known) -> _Plan | None:
    """What the per-event path would write for this delivery, or None when it is not one of the
    cases written here."""
    snapshot = delivery.snapshot
    normalized = delivery.normalized
    assert snapshot is not None and snapshot.customer is not None and normalized is not None
    if snapshot.id in known.orders:
        return None
    member = known.members.get(normalized)
    if member is not None and member.state != "open":
        return None
    customer = known.customers.get(snapshot.customer.id or "")
    linked = customer.member_id if customer is not None else None
    if linked is not None and (member is None or linked != member.id):
        return None  # linked to another ID: the per-event path decides (and audits)
    settings = program_settings(shop)
    currency = currency_of(shop, snapshot)
    paid_at = snapshot.processed_at or snapshot.created_at or clock.now()
    earns = not snapshot.test or settings.award_test_orders
    points = 0
    if earns:
        applies = member is not None and campaign_applies(
            member.activated_at, member.state, paid_at
        )
        campaigns = campaigns_in_force(shop, paid_at) if applies else []
        if any(campaign.kind == "gift" for campaign in campaigns):
            return None
        multiplier = multiplier_of(campaigns) if applies else Decimal(1)
        points = order_points(settings.earning, _net(snapshot, currency), multiplier)
    if points > 0:
        total = _total(snapshot, currency)
        if clawback_points(points, total, quantize(Decimal(0), currency), 0):
            return None
    return _Plan(delivery, snapshot, member.id if member is not None else None, points, paid_at)


def _net(snapshot: OrderSnapshot, currency: str) -> Decimal:
    return net_amount(snapshot, currency) or Decimal(0)


def _total(snapshot: OrderSnapshot, currency: str) -> Decimal:
    return quantize(snapshot.total, currency) if snapshot.total is not None else Decimal(0)


def apply_paid_orders(shop: Shop, deliveries: Sequence[tuple[int, dict[str, Any]]]) -> list[int]:
    """Write the run's paid orders this path takes; the keys of the others, in their order, for
    the per-event path to apply after these (see the module). Raises ``Conflict`` (or any error
    of a write) with part of the run written: the caller's savepoint rolls it back."""
    if not deliveries:
        return []
    if tiers.rules(shop).enabled:  # a tier's multiplier, moves and gift perk: per event
        return [key for key, _ in deliveries]
    parsed = [_parsed(key, payload, shop) for key, payload in deliveries]
    known = _read(shop, [d for d in parsed if d.snapshot is not None])
    for delivery in parsed:  # the members it reaches through its customer's link and its emails
        for kind, value in list(delivery.keys):
            row = known.customers.get(value) if kind == "customer" else None
            row = known.members.get(value) if kind == "email" else row
            member_id = getattr(row, "member_id", None) if kind == "customer" else None
            member_id = getattr(row, "id", None) if kind == "email" else member_id
            if member_id is not None:
                delivery.keys.add(("member", member_id))
    plans: list[_Plan] = []
    left: list[int] = []
    taken: set[tuple[str, Any]] = set()
    blocked: set[tuple[str, Any]] = set()
    for delivery in parsed:
        plan = _plan(shop, delivery, known) if delivery.takeable else None
        if plan is None or delivery.keys & (taken | blocked):
            left.append(delivery.key)
            blocked |= delivery.keys
        else:
            plans.append(plan)
            taken |= delivery.keys
    if plans:
        _write(shop, plans, known)
    return left


def _write(shop: Shop, plans: list[_Plan], known: _Known) -> None:
    now = clock.now()
    created = _create_members(plans, now)
    member_of = {
        id(plan): plan.member_id
        if plan.member_id is not None
        else created[str(plan.delivery.normalized)]
        for plan in plans
    }
    _link_customers(shop, plans, known, member_of, now)
    orders: list[dict[str, Any]] = []
    for plan in plans:
        snapshot = plan.snapshot
        currency = currency_of(shop, snapshot)
        address = snapshot.address
        total = _total(snapshot, currency)
        orders.append(
            {
                "shop_id": shop.id,
                "order_id": snapshot.id,
                "currency": currency,
                "created_at": now,
                "name": snapshot.name or None,  # as `order.name = snapshot.name or order.name`
                "member_id": member_of[id(plan)],
                "customer_id": snapshot.customer.id,  # type: ignore[union-attr]
                "test": snapshot.test,
                "total_amount": total,
                "presentment_currency": snapshot.presentment_total[0]
                if snapshot.presentment_total is not None
                else None,
                "presentment_total": snapshot.presentment_total[1]
                if snapshot.presentment_total is not None
                else None,
                "net_amount": _net(snapshot, currency),
                "placed_at": snapshot.created_at,
                "paid_at": plan.paid_at,
                "shopify_updated_at": snapshot.updated_at,
                "delivery_country": (address.country or None) if address is not None else None,
                "delivery_address": {
                    "address1": address.address1,
                    "zip": address.zip,
                    "country": address.country,
                }
                if address is not None
                else None,
                "discount_codes": [],
                "cancelled_at": None,
                "refunded_amount": quantize(Decimal(0), currency),
                "points_awarded": plan.points,
                "points_clawed_back": 0,
            }
        )
    written = insert_many_once(Order, orders, ["shop_id", "order_id"], ["order_id"])
    if len(written) != len(orders):
        raise Conflict("an order of the batch was recorded meanwhile")
    awards = [
        ledger.NewEntry(
            shop.id,
            member_of[id(plan)],
            plan.points,
            EntryKind.ORDER,
            f"order:{plan.snapshot.id}:paid",
            note=plan.snapshot.name or None,
            at=plan.paid_at,
        )
        for plan in plans
        if plan.points > 0
    ]
    if len(ledger.post_entries(awards)) != len(awards):
        raise Conflict("an order's award was written meanwhile")
    _register_devices(shop, plans, member_of, now)
    # What the per-event path would find in the session: these rows as they are now.
    for instance in list(db.session.identity_map.values()):
        if isinstance(instance, ShopCustomer | Wallet):
            db.session.expire(instance)


def _create_members(plans: list[_Plan], now: datetime) -> dict[str, int]:
    """The TESmart IDs of the new emails, created pending as ``claim_member`` creates them."""
    new: dict[str, str] = {}
    for plan in plans:
        if plan.member_id is None and plan.delivery.normalized not in new:
            new[plan.delivery.normalized] = plan.delivery.email.strip()  # type: ignore[index,union-attr]
    rows = [
        {"email_normalized": normalized, "email": email, "state": "open", "created_at": now}
        for normalized, email in sorted(new.items())
    ]
    created = {
        normalized: member_id
        for member_id, normalized in insert_many_once(
            Member, rows, ["email_normalized"], ["id", "email_normalized"]
        )
    }
    if len(created) != len(rows):
        raise Conflict("a TESmart ID of the batch was created meanwhile")
    return created


def _link_customers(
    shop: Shop,
    plans: list[_Plan],
    known: _Known,
    member_of: dict[int, int],
    now: datetime,
) -> None:
    """Each order's customer linked to its TESmart ID, as ``accounts.link_customer`` links it:
    a newer payload's email, names and time replace the row's, an older one's do not."""
    rows = []
    for plan in plans:
        ref = plan.snapshot.customer
        assert ref is not None and ref.id is not None
        row = known.customers.get(ref.id)
        updated = ref.updated_at
        stale = (
            row is not None
            and updated is not None
            and row.shopify_updated_at is not None
            and updated < row.shopify_updated_at
        )
        member_id = member_of[id(plan)]
        if row is not None and stale:
            values = {
                "member_id": row.member_id if row.member_id is not None else member_id,
                "email": row.email,
                "first_name": row.first_name,
                "last_name": row.last_name,
                "shopify_updated_at": row.shopify_updated_at,
                "conflicting_email": row.conflicting_email,
                "email_conflict_at": row.email_conflict_at,
            }
        else:
            values = {
                "member_id": member_id,
                "email": ref.email.strip() if ref.email else getattr(row, "email", None),
                "first_name": ref.first_name
                if ref.first_name is not None
                else getattr(row, "first_name", None),
                "last_name": ref.last_name
                if ref.last_name is not None
                else getattr(row, "last_name", None),
                "shopify_updated_at": updated
                if updated is not None
                else getattr(row, "shopify_updated_at", None),
                "conflicting_email": None,
                "email_conflict_at": None,
            }
        rows.append({"shop_id": shop.id, "customer_id": ref.id, "created_at": now, **values})
    rows.sort(key=lambda values: values["customer_id"])
    new = [row for row in rows if row["customer_id"] not in known.customers]
    if len(insert_many_once(ShopCustomer, new, ["shop_id", "customer_id"], ["id"])) != len(new):
        raise Conflict("a customer of the batch was recorded meanwhile")
    # The known ones were locked when read: their new values, computed from what was read.
    insert_many_once(
        ShopCustomer,
        [row for row in rows if row["customer_id"] in known.customers],
        ["shop_id", "customer_id"],
        ["id"],
        update=list(_LINK_COLUMNS),
    )


def _register_devices(
    shop: Shop, plans: list[_Plan], member_of: dict[int, int], now: datetime
) -> None:
    """Every unit of a line in a warranty category, as ``orders.register_devices`` registers it
    for an order first seen now."""
    products: dict[Any, Product | None] = batch.known("products") or {}
    zone = clock.shop_zone(shop)
    rows = []
    for plan in plans:
        snapshot = plan.snapshot
        currency = currency_of(shop, snapshot)
        purchased = clock.local_day(snapshot.created_at or plan.paid_at, zone)
        address = snapshot.address
        country = (address.country or None) if address is not None else None
        for line in snapshot.line_items:
            if line.product_id is None or line.id is None:
                continue
            product = products[(shop.id, line.product_id)]
            assert product is not None
            if product.category not in WARRANTY_CATEGORIES:
                continue
            for index, amount in enumerate(unit_amounts(line, currency, snapshot.taxes_included)):
                rows.append(
                    {
                        "shop_id": shop.id,
                        "member_id": member_of[id(plan)],
                        "order_id": snapshot.id,
                        "order_name": snapshot.name or None,
                        "line_item_id": line.id,
                        "unit_index": index,
                        "product_id": line.product_id,
                        "title": str(line.title or product.title)[:512],
                        "category": product.category,
                        "purchased_on": purchased,
                        "amount_paid": amount,
                        "currency": currency,
                        "delivery_country": country,
                        "created_at": now,
                    }
                )
    insert_many_once(Device, rows, ["shop_id", "line_item_id", "unit_index"], ["id"])
