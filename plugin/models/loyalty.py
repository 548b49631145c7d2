"""What the optional loyalty features keep (issue 19): the member's birthday, VIP tiers."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plugin import clock
from plugin.extensions import Model
from plugin.models.types import BigId, UTCDateTime


class MemberBirthday(Model):
    """A month and a day, entered by the member in one store's widget; no year is kept."""

    __tablename__ = "member_birthdays"
    __table_args__ = (UniqueConstraint("shop_id", "member_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    month: Mapped[int] = mapped_column(Integer)
    day: Mapped[int] = mapped_column(Integer)
    # The store's calendar day it was entered or last changed: the next change waits a year.
    set_on: Mapped[date] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class MemberTier(Model):
    """The VIP tier a member holds in one store, and when its period ends."""

    __tablename__ = "member_tiers"
    __table_args__ = (UniqueConstraint("shop_id", "member_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    tier_key: Mapped[str] = mapped_column(String(32))
    tier_name: Mapped[str] = mapped_column(String(64))  # as it was named when reached
    since: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    period_ends_on: Mapped[date | None] = mapped_column(Date)


class TierChange(Model):
    """One move between tiers with its cause; written once per cause, like a ledger entry."""

    __tablename__ = "tier_changes"
    __table_args__ = (UniqueConstraint("shop_id", "cause_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    from_key: Mapped[str | None] = mapped_column(String(32))
    to_key: Mapped[str | None] = mapped_column(String(32))
    cause: Mapped[str] = mapped_column(String(32))  # qualified | period_end | grace_end
    cause_ref: Mapped[str] = mapped_column(String(200))  # order:<id> | edit:<when> | period:<day>
    cause_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
