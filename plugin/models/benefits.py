"""Member benefits: trade-ins, warranty claims, returns, CTRL F (POLICY.md sections 4 to 7)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plugin import clock
from plugin.extensions import Model
from plugin.models.types import BigId, Money, UTCDateTime


class TradeIn(Model):
    __tablename__ = "trade_ins"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="quoted", index=True)
    cohort: Mapped[str | None] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    value: Mapped[Decimal | None] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    condition: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    serial: Mapped[str | None] = mapped_column(String(128))
    tracking_number: Mapped[str | None] = mapped_column(String(128))
    carrier: Mapped[str | None] = mapped_column(String(64))
    payout_method: Mapped[str | None] = mapped_column(String(32))  # store_credit|refund|code
    redemption_id: Mapped[int | None] = mapped_column(ForeignKey("redemptions.id"))
    shipping_refund: Mapped[Decimal | None] = mapped_column(Money)
    note: Mapped[str | None] = mapped_column(Text)
    ship_by: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class TradeInEvent(Model):
    """The audit trail of a trade-in: every transition, who made it and why."""

    __tablename__ = "trade_in_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    trade_in_id: Mapped[int] = mapped_column(
        ForeignKey("trade_ins.id", ondelete="CASCADE"), index=True
    )
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(255))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class WarrantyClaim(Model):
    __tablename__ = "warranty_claims"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="open")
    outcome: Mapped[str] = mapped_column(String(16))
    return_shipping_paid_by: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text, default="")
    # The shopper's photos and video of the fault ("upload:<customer>/<id>",
    # plugin.benefits.uploads).
    photos: Mapped[list[str]] = mapped_column(JSON, default=list)
    replacement_device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReturnRequest(Model):
    __tablename__ = "return_requests"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    customer_id: Mapped[str | None] = mapped_column(String(32))
    order_id: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(String(16))
    return_shipping_paid_by: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default="requested", index=True)
    proof_of_purchase: Mapped[str | None] = mapped_column(Text)
    photos: Mapped[list[str]] = mapped_column(JSON, default=list)
    delivery_address: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    phone: Mapped[str | None] = mapped_column(String(64))
    received_on: Mapped[date | None] = mapped_column(Date)
    refund_due_on: Mapped[date | None] = mapped_column(Date)
    refunded_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class CtrlFProgram(Model):
    __tablename__ = "ctrlf_programs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(255))
    product_title: Mapped[str] = mapped_column(String(255))
    product_id: Mapped[str | None] = mapped_column(String(32))
    discount_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    seats: Mapped[int] = mapped_column(Integer, default=10)
    applications_close_on: Mapped[date] = mapped_column(Date)
    feedback_due_on: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class CtrlFApplication(Model):
    __tablename__ = "ctrlf_applications"
    __table_args__ = (UniqueConstraint("program_id", "member_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("ctrlf_programs.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    customer_id: Mapped[str] = mapped_column(String(32))
    setup: Mapped[str] = mapped_column(Text, default="")
    devices: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16), default="applied")  # applied|selected|rejected
    redemption_id: Mapped[int | None] = mapped_column(ForeignKey("redemptions.id"))
    feedback: Mapped[str | None] = mapped_column(Text)
    feedback_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
