"""What a program event tells the member and the merchant's tools, in the event's transaction:
a transactional email (plugin/reach/emails.py), a Shopify Flow trigger
(plugin/reach/flow_triggers.py) and fresh customer metafields
(plugin/reach/metafields.py). Each is an outbox item keyed by the event, so running
the event's code twice tells nobody twice.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from plugin import accounts, clock, ledger, outbox
from plugin.accounts import cohort_of
from plugin.database.sets import one_of
from plugin.database.transaction import unit_of_work
from plugin.extensions import db
from plugin.ledger import balance
from plugin.models import (
    CtrlFApplication,
    CtrlFProgram,
    Device,
    Member,
    Referral,
    Shop,
    ShopCustomer,
    TradeIn,
    Wallet,
)
from plugin.points.expiry import upcoming
from plugin.reach import emails, flow_triggers
from plugin.reach import metafields as customer_metafields
from plugin.shops.registry import installed_shops
from plugin.shops.settings import program_settings

# The trade-in action that moved the state -> the email it sends (POLICY.md 5).
TRADE_IN_EMAILS = {
    "apply": "trade_in_quoted",
    "approve": "trade_in_approved",
    "pay": "trade_in_paid",
    "inspect_adjusted": "trade_in_adjusted",
    "revoke": "trade_in_revoked",
    "inspect_revoked": "trade_in_revoked",
}


def listen() -> None:
    """At app start (``plugin/__init__.py``): the ledger's entries and the IDs' activations tell
    the member's tools. The ledger and the accounts sit below reach; this is how they reach it."""
    ledger.on_entry = points_moved
    ledger.on_entries = points_moved_many
    accounts.on_activation = member_activated


def customer_of(shop: Shop, member_id: int | None) -> str | None:
    if member_id is None:
        return None
    return db.session.execute(
        select(ShopCustomer.customer_id)
        .where(ShopCustomer.shop_id == shop.id, ShopCustomer.member_id == member_id)
        .order_by(ShopCustomer.id)
        .limit(1)
    ).scalar_one_or_none()


def _number(value: Decimal | int | None) -> float | int:
    if value is None:
        return 0
    return int(value) if isinstance(value, int) else float(value)


def trade_in_changed(
    shop: Shop,
    trade_in: TradeIn,
    before: str | None,
    action: str,
    event_id: int,
    data: dict[str, Any],
) -> None:
    """A trade-in moved from ``before`` to its state by ``action`` (its TradeInEvent
    ``event_id``)."""
    customer_id = customer_of(shop, trade_in.member_id)
    key = f"trade_in:{trade_in.id}:{event_id}"
    flow_triggers.send_trigger(
        shop,
        "tesmart-trade-in-changed",
        key,
        customer_id,
        {
            "Trade in": str(trade_in.id),
            "State": trade_in.state,
            "Previous state": before or "",
            "Value": _number(trade_in.value),
            "Currency": trade_in.currency,
            "Ship by": trade_in.ship_by.isoformat() if trade_in.ship_by else "",
        },
    )
    kind = TRADE_IN_EMAILS.get(action)
    if kind is None:
        return
    if trade_in.kind != "recovery_value" and kind != "trade_in_revoked":
        return  # a discount on a new device: its code is the member's news (no value, no shipping)
    device = db.session.get(Device, trade_in.device_id)
    facts: dict[str, Any] = {
        "device": (device.title if device is not None and device.shop_id == shop.id else None)
        or "TESmart",
        "value": trade_in.value if trade_in.value is not None else Decimal(0),
        "currency": trade_in.currency,
    }
    if kind == "trade_in_approved":
        facts["ship_by"] = trade_in.ship_by
    if kind == "trade_in_paid":
        facts["value"] = data.get("amount", facts["value"])
    if kind == "trade_in_adjusted":
        facts["value_before"] = (
            data.get("value_before") if data.get("value_before") is not None else facts["value"]
        )
    emails.queue_email(
        shop, kind, key, facts=facts, member_id=trade_in.member_id, customer_id=customer_id
    )


def points_moved(
    shop_id: int,
    member_id: int,
    delta: int,
    kind: str,
    cause_key: str,
    *,
    balance: int | None = None,
) -> None:
    """A ledger entry was written: the metafields follow the balance; an earning starts Flow.
    ``balance``: the wallet's balance after the entry, when the writer has it."""
    shop = db.session.get(Shop, shop_id)
    if shop is None:
        return
    customer_metafields.touch(shop, member_id)
    if delta > 0 and kind not in ("redemption_refund", "import"):
        flow_triggers.send_trigger(
            shop,
            "tesmart-points-earned",
            cause_key,
            customer_of(shop, member_id),
            {
                "Points": delta,
                "Balance": balance if balance is not None else ledger.balance(shop_id, member_id),
                "Reason": kind,
            },
        )


def points_moved_many(entries: list[ledger.NewEntry]) -> None:
    """``points_moved`` for many entries (``ledger.post_entries``): the same outbox items, in two
    statements whatever their number (the members' customers, the items)."""
    items: list[outbox.NewItem] = []
    by_shop: dict[int, list[ledger.NewEntry]] = {}
    for entry in entries:
        by_shop.setdefault(entry.shop_id, []).append(entry)
    for shop_id, shop_entries in by_shop.items():
        shop = db.session.get(Shop, shop_id)
        if shop is None:
            continue
        earning = [
            entry
            for entry in shop_entries
            if entry.delta > 0 and entry.kind.value not in ("redemption_refund", "import")
        ]
        customers = _first_customers(shop_id, {entry.member_id for entry in earning})
        for entry in shop_entries:
            items.append(customer_metafields.touch_item(shop_id, entry.member_id))
            if entry.delta <= 0 or entry.kind.value in ("redemption_refund", "import"):
                continue
            trigger = flow_triggers.trigger_item(
                shop_id,
                "tesmart-points-earned",
                entry.cause_key,
                customers.get(entry.member_id),
                {
                    "Points": entry.delta,
                    "Balance": entry.balance
                    if entry.balance is not None
                    else ledger.balance(shop_id, entry.member_id),
                    "Reason": entry.kind.value,
                },
            )
            if trigger is not None:
                items.append(trigger)
    outbox.add_many(items)


def _first_customers(shop_id: int, member_ids: set[int]) -> dict[int, str]:
    """``customer_of`` for many members in one statement: each one's first customer in the shop."""
    if not member_ids:
        return {}
    first = (
        select(func.min(ShopCustomer.id))
        .where(ShopCustomer.shop_id == shop_id, one_of(ShopCustomer.member_id, member_ids))
        .group_by(ShopCustomer.member_id)
    )
    return {
        int(member_id): customer_id
        for member_id, customer_id in db.session.execute(
            select(ShopCustomer.member_id, ShopCustomer.customer_id).where(
                ShopCustomer.id.in_(first)
            )
        ).all()
    }


def member_activated(member: Member, source: str) -> None:
    """A TESmart ID was activated: Flow and the metafields in every shop the member buys from."""
    if source == "import":  # the old program's members were active already; no event
        return
    rows = db.session.execute(
        select(Shop, ShopCustomer.customer_id)
        .join(ShopCustomer, ShopCustomer.shop_id == Shop.id)
        .where(ShopCustomer.member_id == member.id)
        .order_by(ShopCustomer.id)  # a shop's trigger names its first customer, as customer_of
    ).all()
    cohort = cohort_of(member)
    for shop, customer_id in rows:
        customer_metafields.touch(shop, member.id)
        flow_triggers.send_trigger(
            shop,
            "tesmart-id-activated",
            f"member:{member.id}",
            customer_id,
            {
                "Cohort": cohort.value if cohort is not None else "",
                "Member since": member.registered_at.date().isoformat()
                if member.registered_at
                else "",
            },
        )


def code_issued(shop: Shop, redemption: Any) -> None:
    """Shopify made the code of a redemption: the member learns it by email (and Flow for a
    reward). Which email depends on what the code is for."""

    key = f"redemption:{redemption.id}"
    reward = (
        f"{redemption.percentage.normalize():f}%"
        if redemption.kind == "percentage" and redemption.percentage is not None
        else f"{redemption.amount} {redemption.currency}"
        if redemption.amount is not None
        else redemption.title
    )
    facts: dict[str, Any] = {
        "code": redemption.code,
        "reward": reward,
        "points": redemption.points,
        "currency": redemption.currency,
    }
    if redemption.purpose == "reward":
        emails.queue_email(
            shop,
            "reward_issued",
            key,
            facts={**facts, "reward": redemption.title},
            member_id=redemption.member_id,
            customer_id=redemption.customer_id,
        )
        flow_triggers.send_trigger(
            shop,
            "tesmart-reward-issued",
            key,
            redemption.customer_id,
            {
                "Reward": redemption.title,
                "Code": redemption.code or "",
                "Points spent": redemption.points,
            },
        )
    elif redemption.purpose == "referral":
        referral = (
            db.session.execute(
                select(Referral).where(
                    Referral.shop_id == shop.id,
                    (Referral.friend_redemption_id == redemption.id)
                    | (Referral.referrer_redemption_id == redemption.id),
                )
            )
            .scalars()
            .first()
        )
        if referral is None:
            return
        kind = (
            "friend_coupon" if referral.friend_redemption_id == redemption.id else "referral_reward"
        )
        emails.queue_email(
            shop,
            kind,
            key,
            facts=facts,
            member_id=redemption.member_id,
            customer_id=redemption.customer_id,
        )
    elif redemption.purpose == "ctrl_f":
        row = db.session.execute(
            select(CtrlFApplication, CtrlFProgram)
            .join(CtrlFProgram, CtrlFProgram.id == CtrlFApplication.program_id)
            .where(
                CtrlFApplication.shop_id == shop.id, CtrlFApplication.redemption_id == redemption.id
            )
        ).first()
        if row is None:
            return
        application, program = row
        due = program.feedback_due_on
        emails.queue_email(
            shop,
            "ctrlf_selected",
            key,
            facts={
                "program": program.product_title,
                "code": redemption.code,
                "feedback_due": due,
            },
            member_id=application.member_id,
            customer_id=application.customer_id,
        )
        flow_triggers.send_trigger(
            shop,
            "tesmart-ctrl-f-selected",
            key,
            application.customer_id,
            {
                "Program": program.product_title,
                "Code": redemption.code or "",
                "Feedback due": due.isoformat() if due else "",
            },
        )


def ctrlf_feedback_missing(shop: Shop, application: Any) -> None:

    program = db.session.get(CtrlFProgram, application.program_id)
    if program is None or program.feedback_due_on is None:
        return
    emails.queue_email(
        shop,
        "ctrlf_feedback_overdue",
        f"ctrl_f:{application.id}:overdue",
        facts={
            "program": program.product_title,
            "feedback_due": program.feedback_due_on,
        },
        member_id=application.member_id,
        customer_id=application.customer_id,
    )


def warranty_decided(shop: Shop, claim: Any, device: Any) -> None:
    """A claim was approved or refused (POLICY.md 4)."""
    decision = "approved" if claim.state == "approved" else "declined"
    customer_id = customer_of(shop, claim.member_id)
    key = f"warranty_claim:{claim.id}:{claim.state}"
    title = (device.title if device is not None else None) or "TESmart"
    emails.queue_email(
        shop,
        "warranty_decided",
        key,
        facts={"device": title, "decision": decision},
        member_id=claim.member_id,
        customer_id=customer_id,
    )
    flow_triggers.send_trigger(
        shop,
        "tesmart-warranty-decided",
        key,
        customer_id,
        {
            "Claim": str(claim.id),
            "Decision": decision,
            "Device": title,
        },
    )


def return_received(shop: Shop, request: Any) -> None:
    """The warehouse has the parcel; a refund is due by its date (POLICY.md 6)."""
    if request.refund_due_on is None:
        return
    emails.queue_email(
        shop,
        "return_received",
        f"return:{request.id}:received",
        facts={
            "order": request.order_id,
            "refund_due": request.refund_due_on,
        },
        member_id=request.member_id,
        customer_id=request.customer_id or customer_of(shop, request.member_id),
    )


EXPIRY_WARNING_DAYS = 30


def warn_expiring_points() -> int:
    """Members whose points expire within 30 days, once per expiry date: Flow always, the email
    only to customers who accepted email marketing (Shopify's email marketing consent)."""

    warned = 0
    for shop in installed_shops():
        with unit_of_work():  # one shop at a time
            settings = program_settings(shop)
            if settings.points_expiry_months is None:
                continue
            horizon = clock.today(clock.zone(shop.timezone, shop.region)) + timedelta(
                days=EXPIRY_WARNING_DAYS
            )
            member_ids = (
                db.session.execute(
                    select(Wallet.member_id).where(Wallet.shop_id == shop.id, Wallet.balance > 0)
                )
                .scalars()
                .all()
            )
            for member_id in member_ids:
                expiring = upcoming(shop, member_id, settings=settings)
                if expiring is None or expiring[1] > horizon:
                    continue
                points, expires_on = expiring
                key = f"expiring:{member_id}:{expires_on.isoformat()}"
                customer = db.session.execute(
                    select(ShopCustomer)
                    .where(ShopCustomer.shop_id == shop.id, ShopCustomer.member_id == member_id)
                    .order_by(ShopCustomer.id)
                    .limit(1)
                ).scalar_one_or_none()
                if customer is None:
                    continue
                flow_triggers.send_trigger(
                    shop,
                    "tesmart-points-expiring",
                    key,
                    customer.customer_id,
                    {
                        "Points expiring": points,
                        "Expiry date": expires_on.isoformat(),
                        "Balance": balance(shop.id, member_id),
                    },
                )
                if customer.newsletter_subscribed:
                    emails.queue_email(
                        shop,
                        "points_expiring",
                        key,
                        facts={
                            "points": points,
                            "expires_on": expires_on,
                            "balance": balance(shop.id, member_id),
                        },
                        member_id=member_id,
                        customer_id=customer.customer_id,
                    )
                warned += 1

    return warned
