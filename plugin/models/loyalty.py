"""What the optional loyalty features keep: the member's birthday (issue 19)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plugin import clock
from plugin.extensions import db
from plugin.models.types import BigId, UTCDateTime


class MemberBirthday(db.Model):
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
