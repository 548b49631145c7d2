"""Dated campaigns per shop: points multipliers, member-only discounts, gifts (POLICY.md 3)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from plugin.errors import ApiError
from plugin.extensions import db
from plugin.models import Campaign, Member, Order, Redemption, Shop
from plugin.models.types import utcnow
from plugin.program.campaigns import campaign_applies


def active_campaigns(shop_id: int, at: datetime) -> list[Campaign]:
    stmt = (
        select(Campaign)
        .where(Campaign.shop_id == shop_id, Campaign.starts_at <= at, Campaign.ends_at > at)
        .order_by(Campaign.starts_at)
    )
    return list(db.session.execute(stmt).scalars())


def points_multiplier(shop_id: int, at: datetime) -> Decimal:
    """The order-points multiplier in force at ``at`` (the order's time, not the processing time,
    so a late or replayed webhook earns what the order earned when it was placed)."""
    multipliers = [
        c.multiplier or Decimal(2)
        for c in active_campaigns(shop_id, at)
        if c.kind == "points_multiplier"
    ]
    return max(multipliers, default=Decimal(1))


def member_campaign_code(shop: Shop, member: Member, customer_id: str, campaign_id: int) -> Redemption:
    """A member-only discount campaign: the activated member's own single-use code, once per
    campaign (POLICY.md 3). Commits."""
    from plugin.services import outbox
    from plugin.services.redemptions import issue_coupon

    campaign = db.session.execute(
        select(Campaign).where(Campaign.id == campaign_id, Campaign.shop_id == shop.id)
    ).scalar_one_or_none()
    now = utcnow()
    if campaign is None or campaign.kind != "member_discount" or not (campaign.starts_at <= now < campaign.ends_at):
        raise ApiError(404, "campaign_not_found", "There is no member offer running with this id.")
    if not member.is_active:
        raise ApiError(403, "id_not_active", "Activate your TESmart ID to get member offers.")
    if campaign.discount_percent is None:
        raise ApiError(409, "campaign_without_discount", "This campaign has no discount to give.")
    redemption = issue_coupon(
        shop, member, customer_id,
        purpose="campaign", title=campaign.title, kind="percentage",
        percentage=campaign.discount_percent, idempotency_key=f"campaign:{campaign.id}:member:{member.id}",
    )
    outbox.commit()
    return redemption


def apply_gifts(shop: Shop, order: Order, member: Member | None, paid_at: datetime) -> int:
    """Gift with purchase: an activated member's qualifying order is tagged for the warehouse to
    add the gift, through the outbox, once per campaign and order."""
    from plugin.services import outbox

    if member is None or not campaign_applies(member.activated_at, member.state, paid_at):
        return 0
    tagged = 0
    for campaign in active_campaigns(shop.id, paid_at):
        if campaign.kind != "gift" or (campaign.min_subtotal is not None and order.net_amount < campaign.min_subtotal):
            continue
        if outbox.add(
            shop.id,
            "order.tag",
            f"gift:{campaign.id}:{order.order_id}",
            {"id": f"gid://shopify/Order/{order.order_id}", "tags": ["tesmart-gift", f"tesmart-gift-{campaign.id}"]},
        ):
            tagged += 1
    return tagged
