"""The points ledger: append-only entries, one per cause, and a wallet per member and shop."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plugin import clock
from plugin.extensions import Model
from plugin.models.types import BigId, UTCDateTime


class PointEntry(Model):
    __tablename__ = "point_entries"
    # Invariant 2: one entry per cause; writing the same cause twice is a no-op.
    # The dashboard's totals by kind read this index alone (no visit to the table).
    __table_args__ = (
        UniqueConstraint("shop_id", "cause_key"),
        Index("ix_point_entries_shop_id_kind_delta", "shop_id", "kind", "delta"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    delta: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    cause_key: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)


class Wallet(Model):
    """The cached balance of a member in one shop, kept equal to the sum of its entries.

    Its row is the lock a redemption takes before checking and debiting the balance.
    """

    __tablename__ = "wallets"
    __table_args__ = (UniqueConstraint("shop_id", "member_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    balance: Mapped[int] = mapped_column(Integer, default=0)
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
