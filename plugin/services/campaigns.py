"""Dated campaigns per shop: points multipliers, member-only discounts, gifts (POLICY.md 3)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from plugin.extensions import db
from plugin.models import Campaign


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
