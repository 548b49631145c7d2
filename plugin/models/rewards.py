"""Rewards, redemptions, referrals and campaigns (POLICY.md section 3)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plugin import clock
from plugin.extensions import Model
from plugin.models.types import BigId, Money, UTCDateTime


class Reward(Model):
    __tablename__ = "rewards"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(255))
    points: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # fixed_amount | percentage | store_credit
    amount: Mapped[Decimal | None] = mapped_column(Money)
    percentage: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))  # 30 means 30 %
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # VIP tiers (issue 19): the tier keys that may redeem it; empty or None: every member.
    tier_keys: Mapped[list[str] | None] = mapped_column(JSON)


class Redemption(Model):
    __tablename__ = "redemptions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    customer_id: Mapped[str] = mapped_column(String(32))
    reward_id: Mapped[int | None] = mapped_column(ForeignKey("rewards.id"))
    purpose: Mapped[str] = mapped_column(
        String(32), default="reward"
    )  # reward|referral|trade_in|ctrl_f
    title: Mapped[str] = mapped_column(String(255))
    points: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal | None] = mapped_column(Money)
    percentage: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    currency: Mapped[str] = mapped_column(String(3))
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    code: Mapped[str | None] = mapped_column(String(64))
    discount_node_id: Mapped[str | None] = mapped_column(String(128))
    # A store-credit reward (kind ``store_credit``): Shopify's credit transaction, and its expiry.
    credit_transaction_id: Mapped[str | None] = mapped_column(String(128))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Referral(Model):
    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    referrer_member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    friend_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    friend_customer_id: Mapped[str | None] = mapped_column(String(32))
    friend_email: Mapped[str | None] = mapped_column(String(320))
    friend_redemption_id: Mapped[int | None] = mapped_column(ForeignKey("redemptions.id"))
    referrer_redemption_id: Mapped[int | None] = mapped_column(ForeignKey("redemptions.id"))
    order_id: Mapped[str | None] = mapped_column(String(32), index=True)
    state: Mapped[str] = mapped_column(String(16), default="visited")
    refusal_reason: Mapped[str | None] = mapped_column(String(64))
    visitor_key: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    rewarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Campaign(Model):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # points_multiplier | member_discount | gift
    title: Mapped[str] = mapped_column(String(255))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    multiplier: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    discount_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    gift_product_id: Mapped[str | None] = mapped_column(String(32))
    min_subtotal: Mapped[Decimal | None] = mapped_column(Money)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class SurveyCompletion(Model):
    """Kept so the widget can show which surveys a member has done; points come from the ledger."""

    __tablename__ = "survey_completions"
    __table_args__ = (UniqueConstraint("shop_id", "member_id", "survey_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    survey_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
