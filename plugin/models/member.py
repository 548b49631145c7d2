"""The TESmart ID (one per normalized email, across the four shops) and its shop customers."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plugin import clock
from plugin.extensions import Model
from plugin.models.types import BigId, UTCDateTime


class Member(Model):
    __tablename__ = "members"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    email_normalized: Mapped[str | None] = mapped_column(
        String(320), unique=True
    )  # None once redacted
    email: Mapped[str | None] = mapped_column(String(320))
    # POLICY.md 2: the cohort is fixed by the registration date (activation, or the old program's
    # date).
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The registration day in the registering store's zone and the cohort it fixed, stored when
    # fixed (activation or import) and never recomputed: a later cutoff setting never moves it.
    registered_on: Mapped[date | None] = mapped_column(Date)
    cohort: Mapped[str | None] = mapped_column(String(16))
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    activation_source: Mapped[str | None] = mapped_column(String(32))
    imported: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16), default="open")  # open | cancelled | revoked
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    redacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    referral_code: Mapped[str | None] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    @property
    def is_active(self) -> bool:
        return self.activated_at is not None and self.state == "open"


class ShopCustomer(Model):
    """A Shopify customer of one shop, linked to the TESmart ID of its email."""

    __tablename__ = "shop_customers"
    __table_args__ = (
        UniqueConstraint("shop_id", "customer_id"),
        Index("ix_shop_customers_shop_id_member_id", "shop_id", "member_id"),  # a shop's members
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[str] = mapped_column(String(32))  # Shopify's numeric id, as text
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    email: Mapped[str | None] = mapped_column(String(320))
    first_name: Mapped[str | None] = mapped_column(String(255))
    last_name: Mapped[str | None] = mapped_column(String(255))
    newsletter_subscribed: Mapped[bool] = mapped_column(Boolean, default=False)
    verified_email: Mapped[bool] = mapped_column(Boolean, default=False)
    orders_count: Mapped[int] = mapped_column(Integer, default=0)
    # Shopify's updated_at of the last customer payload applied: older deliveries are ignored.
    shopify_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # An email Shopify reported for this customer that belongs to another TESmart ID: not applied,
    # shown to the merchant (POLICY.md 2; plugin.accounts.link_customer).
    conflicting_email: Mapped[str | None] = mapped_column(String(320))
    email_conflict_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class RedactedCustomer(Model):
    """The tombstone of a customer erased by ``customers/redact``: no personal data, only the fact.

    Later deliveries and reconciliation consult it, so that a late ``orders/fulfilled`` or a
    re-read customer does not bring the erased email, names or address back (issue 15).
    """

    __tablename__ = "redacted_customers"
    __table_args__ = (UniqueConstraint("shop_id", "customer_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[str] = mapped_column(String(32))
    redacted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
