"""VIP tiers (issue 19; rules in ``plugin.program.tiers``): optional, off by default.

A member's tier in a store is one row (``member_tiers``); every move is a ``tier_changes`` row
with its cause, written once per cause (``UNIQUE(shop_id, cause_key)``), like a ledger entry. A
paid order earns with the multiplier of the tier held when it is paid, then the tier is
evaluated, so a member crossing a threshold moves up at once and gets the multiplier on the
next order. Moves down wait for the member's period to end (the sweep's ``tier_period_ends``
task). Tiers never touch warranty or trade-in terms: no rule of those reads them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select

from plugin import clock, outbox
from plugin.database import audit
from plugin.database.idempotent import insert_once
from plugin.database.transaction import unit_of_work
from plugin.extensions import db
from plugin.models import (
    Member,
    MemberTier,
    Order,
    OutboxItem,
    PointEntry,
    Shop,
    ShopCustomer,
    TierChange,
)
from plugin.program.entries import EARNED_KINDS
from plugin.program.tiers import (
    Move,
    Tier,
    TierRules,
    TiersInvalid,
    decide,
    parse_rules,
    qualifying,
    window_start,
)

log = logging.getLogger(__name__)
SETTINGS_KEY = "tiers"


def rules(shop: Shop) -> TierRules:
    try:
        return parse_rules((shop.settings or {}).get(SETTINGS_KEY))
    except TiersInvalid:
        log.warning("stored tiers of %s do not validate; tiers are off", shop.domain)
        return TierRules()


def _today(shop: Shop) -> date:
    return clock.today(clock.zone(shop.timezone, shop.region))


def _since(shop: Shop, day: date | None) -> datetime | None:
    if day is None:
        return None
    return datetime.combine(day, time(0), tzinfo=clock.zone(shop.timezone, shop.region))


def amounts(
    shop: Shop, tier_rules: TierRules, today: date, member_ids: list[int] | None = None
) -> dict[int, Decimal]:
    """Each member's qualifying amount: points earned, or money spent (net of discounts, tax,
    shipping and refunds; paid, not cancelled, not test orders), in the window."""
    since = _since(shop, window_start(tier_rules, today))
    if tier_rules.basis == "points_earned":
        stmt = select(PointEntry.member_id, func.coalesce(func.sum(PointEntry.delta), 0)).where(
            PointEntry.shop_id == shop.id, PointEntry.kind.in_(EARNED_KINDS)
        )
        if since is not None:
            stmt = stmt.where(PointEntry.created_at >= since)
        if member_ids is not None:
            stmt = stmt.where(PointEntry.member_id.in_(member_ids))
        stmt = stmt.group_by(PointEntry.member_id)
    else:
        # The order's net amount, less the refunded share of its total.
        spent = case(
            (
                Order.total_amount > 0,
                Order.net_amount
                * (Order.total_amount - func.coalesce(Order.refunded_amount, 0))
                / Order.total_amount,
            ),
            else_=Order.net_amount,
        )
        stmt = select(Order.member_id, func.coalesce(func.sum(spent), 0)).where(
            Order.shop_id == shop.id,
            Order.member_id.is_not(None),
            Order.paid_at.is_not(None),
            Order.cancelled_at.is_(None),
            Order.test.is_(False),
        )
        if since is not None:
            stmt = stmt.where(Order.paid_at >= since)
        if member_ids is not None:
            stmt = stmt.where(Order.member_id.in_(member_ids))
        stmt = stmt.group_by(Order.member_id)
    return {
        int(member_id): Decimal(str(total)) for member_id, total in db.session.execute(stmt).all()
    }


def current(shop: Shop, member_id: int) -> MemberTier | None:
    return db.session.execute(
        select(MemberTier).where(MemberTier.shop_id == shop.id, MemberTier.member_id == member_id)
    ).scalar_one_or_none()


def multiplier_for(shop: Shop, member_id: int | None) -> Decimal:
    """The order-points multiplier of the member's tier (1 without tiers or a tier)."""
    if member_id is None:
        return Decimal(1)
    tier_rules = rules(shop)
    if not tier_rules.enabled:
        return Decimal(1)
    row = current(shop, member_id)
    tier = tier_rules.by_key(row.tier_key) if row else None
    return tier.multiplier if tier else Decimal(1)


def _apply(shop: Shop, member_id: int, row: MemberTier | None, move: Move, cause_ref: str) -> bool:
    from_key = row.tier_key if row else None
    to_key = move.to.key if move.to else None
    from_period = row.period_ends_on if row else None
    if move.cause == "renewed":
        assert row is not None  # only a member who holds a tier renews it
        row.period_ends_on = move.period_ends_on
        if move.to is not None:  # a new period: the free-shipping perk of the new period
            grant_free_shipping(shop, member_id, move.to, move.period_ends_on)
        return False
    changed = insert_once(
        TierChange,
        {
            "shop_id": shop.id,
            "member_id": member_id,
            "from_key": from_key,
            "to_key": to_key,
            "cause": move.cause,
            "cause_ref": cause_ref[:200],
            "cause_key": f"tier:{member_id}:{move.cause}:{cause_ref}:{to_key}"[:200],
            "created_at": clock.now(),
        },
        ["shop_id", "cause_key"],
    )
    if changed is None:
        return False
    if row is None:
        row = MemberTier(shop_id=shop.id, member_id=member_id)
        db.session.add(row)
    row.tier_key = to_key or ""
    row.tier_name = move.to.name if move.to else ""
    row.since = clock.now()
    row.period_ends_on = move.period_ends_on
    db.session.flush()
    tier_rules = rules(shop)
    before = tier_rules.by_key(from_key)
    if (
        before is not None
        and before.perk == "free_shipping"
        and (move.to is None or move.to.perk != "free_shipping")
    ):
        end_free_shipping(shop, member_id, before, from_period)
    if move.to is not None:
        grant_free_shipping(shop, member_id, move.to, move.period_ends_on)
    return True


# --- perks: delivered through the outbox, once per member, tier and tier period -----------------

FREE_SHIPPING = outbox.EffectKind.FREE_SHIPPING.value
FREE_SHIPPING_END = outbox.EffectKind.FREE_SHIPPING_END.value
GIFT_TAGS = ("tesmart-tier-gift",)


def _period_ref(period_ends_on: date | None) -> str:
    return period_ends_on.isoformat() if period_ends_on else "open"


def perk_code(member_id: int, tier: Tier, period_ends_on: date | None) -> str:
    """The member's free-shipping code of one tier period (the same on every retry)."""
    key = "".join(c for c in tier.key.upper() if c.isalnum())[:12] or "TIER"
    return f"TSVIP-{key}-{member_id}-{_period_ref(period_ends_on).replace('-', '')}"


def _customer_id(shop: Shop, member_id: int) -> str | None:
    return db.session.execute(
        select(ShopCustomer.customer_id)
        .where(ShopCustomer.shop_id == shop.id, ShopCustomer.member_id == member_id)
        .order_by(ShopCustomer.id)
        .limit(1)
    ).scalar_one_or_none()


def grant_free_shipping(
    shop: Shop, member_id: int, tier: Tier, period_ends_on: date | None
) -> int | None:
    """The tier's free-shipping code for the member, valid to the end of the period: one outbox
    item per member, tier and period (its key), so a re-evaluation or a retry makes no second
    one."""
    if tier.perk != "free_shipping":
        return None
    customer_id = _customer_id(shop, member_id)
    if customer_id is None:
        return None

    return outbox.add(
        shop.id,
        FREE_SHIPPING,
        f"tier-perk:{member_id}:{tier.key}:{_period_ref(period_ends_on)}:free-shipping",
        {
            "member_id": member_id,
            "customer_id": customer_id,
            "tier_key": tier.key,
            "tier_name": tier.name,
            "code": perk_code(member_id, tier, period_ends_on),
            "ends_at": since.isoformat() if (since := _since(shop, period_ends_on)) else None,
            # The last day the code works (it ends as the period's end day starts), for the email.
            "last_day": (period_ends_on - timedelta(days=1)).isoformat()
            if period_ends_on
            else None,
        },
    )


def delivered_perk_code(
    shop: Shop, member_id: int, tier: Tier | None, period_ends_on: date | None
) -> str | None:
    """The member's free-shipping code of this period, once Shopify has made it (for the widget)."""
    if tier is None or tier.perk != "free_shipping":
        return None

    done = db.session.execute(
        select(OutboxItem.id).where(
            OutboxItem.shop_id == shop.id,
            OutboxItem.idempotency_key
            == f"tier-perk:{member_id}:{tier.key}:{_period_ref(period_ends_on)}:free-shipping",
            OutboxItem.state == "done",
        )
    ).first()
    return perk_code(member_id, tier, period_ends_on) if done else None


def end_free_shipping(
    shop: Shop, member_id: int, tier: Tier, period_ends_on: date | None
) -> int | None:
    """A member moved out of a free-shipping tier: the period's code stops working now."""

    return outbox.add(
        shop.id,
        FREE_SHIPPING_END,
        f"tier-perk:{member_id}:{tier.key}:{_period_ref(period_ends_on)}:free-shipping:end",
        {"member_id": member_id, "code": perk_code(member_id, tier, period_ends_on)},
    )


def end_perks(shop: Shop, member_id: int) -> int | None:
    """The TESmart ID ended (cancelled or revoked): the tier's free-shipping code stops working."""
    tier_rules = rules(shop)
    row = current(shop, member_id)
    tier = tier_rules.by_key(row.tier_key) if row else None
    if row is None or tier is None or tier.perk != "free_shipping":
        return None
    return end_free_shipping(shop, member_id, tier, row.period_ends_on)


def apply_gift_perk(shop: Shop, order: Order, member: Member | None) -> int | None:
    """The gift perk: the member's first paid order of the tier period is tagged for the warehouse
    to add the gift (like a gift campaign), through the outbox, once per member, tier and period."""
    if member is None or order.member_id != member.id or order.cancelled_at is not None:
        return None
    tier_rules = rules(shop)
    if not tier_rules.enabled:
        return None
    row = current(shop, member.id)
    tier = tier_rules.by_key(row.tier_key) if row else None
    if row is None or tier is None or tier.perk != "gift":
        return None

    return outbox.add(
        shop.id,
        outbox.EffectKind.ORDER_TAG.value,
        f"tier-perk:{member.id}:{tier.key}:{_period_ref(row.period_ends_on)}:gift",
        {
            "id": f"gid://shopify/Order/{order.order_id}",
            "tags": [*GIFT_TAGS, f"tesmart-tier-gift-{tier.key}"[:40]],
        },
    )


def evaluate(
    shop: Shop, member: Member, cause_ref: str, *, tier_rules: TierRules | None = None
) -> bool:
    """Move the member if the rules say so now; does not commit."""
    tier_rules = tier_rules or rules(shop)
    if not tier_rules.enabled or not member.is_active:
        return False
    today = _today(shop)
    amount = amounts(shop, tier_rules, today, [member.id]).get(member.id, Decimal(0))
    row = current(shop, member.id)
    move = decide(
        tier_rules,
        row.tier_key if row else None,
        row.period_ends_on if row else None,
        amount,
        today,
    )
    return move is not None and _apply(shop, member.id, row, move, cause_ref)


@dataclass(frozen=True)
class PreviewRow:
    member_id: int
    email: str | None
    from_key: str | None
    to_key: str | None
    when: str  # "now" | ISO date of the period's end


def preview(shop: Shop, raw: dict[str, Any], limit: int = 200) -> dict[str, Any]:
    """Who would move under ``raw`` (not saved): up now, down at their period's end."""
    tier_rules = parse_rules({**raw, "enabled": True})
    today = _today(shop)
    totals = amounts(shop, tier_rules, today)
    rows = {
        r.member_id: r
        for r in db.session.execute(
            select(MemberTier).where(MemberTier.shop_id == shop.id)
        ).scalars()
    }
    active = dict(
        db.session.execute(
            select(Member.id, Member.email).where(
                Member.id.in_(set(totals) | set(rows)),
                Member.state == "open",
                Member.activated_at.is_not(None),
            )
        )
        .tuples()
        .all()
    )
    up: list[PreviewRow] = []
    down: list[PreviewRow] = []
    for member_id, email in active.items():
        row = rows.get(member_id)
        amount = totals.get(member_id, Decimal(0))
        target = qualifying(tier_rules, amount)
        from_key, to_key = (row.tier_key if row else None), (target.key if target else None)
        if from_key == to_key:
            continue
        if (
            tier_rules.rank(to_key) > tier_rules.rank(from_key)
            and tier_rules.rank(from_key) >= 0
            or row is None
        ):
            up.append(PreviewRow(member_id, email, from_key, to_key, "now"))
        elif tier_rules.retention == "never":
            continue
        else:
            down.append(
                PreviewRow(
                    member_id,
                    email,
                    from_key,
                    to_key,
                    row.period_ends_on.isoformat() if row.period_ends_on else "never",
                )
            )
    return {
        "up_now": len(up),
        "down_at_period_end": len(down),
        "up": [r.__dict__ for r in up[:limit]],
        "down": [r.__dict__ for r in down[:limit]],
    }


@unit_of_work()
def save_rules(shop: Shop, raw: dict[str, Any], actor: str) -> TierRules:
    """Validate and store; members who now qualify higher move up at once. Commits."""
    tier_rules = parse_rules(raw)
    before = (shop.settings or {}).get(SETTINGS_KEY)
    shop.settings = {**(shop.settings or {}), SETTINGS_KEY: raw}
    audit.record(
        shop_id=shop.id,
        actor=actor,
        action="settings.tiers",
        subject_type="shop",
        subject_id=shop.id,
        before={"tiers": before},
        after={"tiers": raw},
    )
    db.session.flush()
    if tier_rules.enabled:
        stamp = clock.now().strftime("%Y%m%dT%H%M%S")
        for member in _active_members(shop):
            evaluate(shop, member, f"edit:{stamp}", tier_rules=tier_rules)
    return tier_rules


def _active_members(shop: Shop) -> list[Member]:

    return list(
        db.session.execute(
            select(Member)
            .join(ShopCustomer, ShopCustomer.member_id == Member.id)
            .where(
                ShopCustomer.shop_id == shop.id,
                Member.state == "open",
                Member.activated_at.is_not(None),
            )
            .distinct()
        ).scalars()
    )


def changes(shop: Shop, member_id: int, limit: int = 20) -> list[TierChange]:
    return list(
        db.session.execute(
            select(TierChange)
            .where(TierChange.shop_id == shop.id, TierChange.member_id == member_id)
            .order_by(TierChange.id.desc())
            .limit(limit)
        ).scalars()
    )


def apply_period_ends() -> int:
    moved = 0
    for shop in (
        db.session.execute(select(Shop).where(Shop.uninstalled_at.is_(None))).scalars().all()
    ):
        tier_rules = rules(shop)
        if not tier_rules.enabled:
            continue
        today = _today(shop)
        due = (
            db.session.execute(
                select(Member)
                .join(MemberTier, MemberTier.member_id == Member.id)
                .where(MemberTier.shop_id == shop.id, MemberTier.period_ends_on <= today)
            )
            .scalars()
            .all()
        )
        with unit_of_work():  # one shop at a time
            for member in due:
                row = current(shop, member.id)
                moved += evaluate(
                    shop,
                    member,
                    "period:"
                    f"{row.period_ends_on.isoformat() if row and row.period_ends_on else today}",
                    tier_rules=tier_rules,
                )
    return moved
