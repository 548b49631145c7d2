"""Webhook deliveries, outbox side effects and the audit trail."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from plugin import clock
from plugin.extensions import Model
from plugin.models.types import BigId, Money, UTCDateTime


class WebhookEvent(Model):
    """One delivery, recorded before it is acknowledged (invariant 1)."""

    __tablename__ = "webhook_events"
    __table_args__ = (UniqueConstraint("shop_id", "webhook_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # No foreign key: a key check locks the shop's row on every delivery (migration 0002). The
    # receiver records only for a shop it found; shop/redact deletes these rows by shop_id.
    shop_id: Mapped[int] = mapped_column(BigId)
    webhook_id: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[str | None] = mapped_column(String(64))
    topic: Mapped[str] = mapped_column(String(64))
    api_version: Mapped[str | None] = mapped_column(String(16))
    triggered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="received", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutboxItem(Model):
    """A side effect on Shopify, written in the same transaction as the change that needs it."""

    __tablename__ = "outbox"
    __table_args__ = (UniqueConstraint("shop_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    last_error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditLog(Model):
    """Every merchant action and every money-like change: who, what, before, after."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shop_id: Mapped[int | None] = mapped_column(
        ForeignKey("shops.id", ondelete="CASCADE"), index=True
    )
    actor: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str | None] = mapped_column(String(64))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)


class DataRequest(Model):
    """A customers/data_request: the member's full record, kept for the merchant to download."""

    __tablename__ = "data_requests"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[str | None] = mapped_column(String(32))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    record: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class ImportRun(Model):
    """An import of old-program members, with its progress report."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shop_id: Mapped[int | None] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(16), default="running")
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    imported_rows: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    actor: Mapped[str] = mapped_column(String(255), default="cli")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Resuming: the SHA-256 of the file's rows, and how many of them the import has gone past.
    fingerprint: Mapped[str | None] = mapped_column(String(64), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class StaffGrant(Model):
    """Which shops a staff member (Shopify user id) may see and change in the admin."""

    __tablename__ = "staff_grants"
    __table_args__ = (UniqueConstraint("user_id", "shop_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    email: Mapped[str | None] = mapped_column(String(320))
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16), default="operator")  # owner | operator
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class StaffMember(Model):
    """A staff member who has opened the app in a shop, as the online token's associated_user
    describes them: what the staff page lists to choose from, and who the store owner is."""

    __tablename__ = "staff_members"
    __table_args__ = (UniqueConstraint("shop_id", "user_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(320))
    account_owner: Mapped[bool] = mapped_column(Boolean, default=False)
    profile_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # last associated_user read
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class StaffRestriction(Model):
    """A shop whose app only the granted staff (and the store owner) may open; no row: open to
    every staff member of the shop."""

    __tablename__ = "staff_restrictions"

    shop_id: Mapped[int] = mapped_column(
        ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True
    )
    restricted_by: Mapped[str] = mapped_column(String(64))
    restricted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class ProgramMonth(Model):
    """A past store month's program results (issue 19), as recomputed from the ledger and orders:
    the dashboard reads these instead of scanning the ledger for every month on every load."""

    __tablename__ = "program_months"
    __table_args__ = (UniqueConstraint("shop_id", "month"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    month: Mapped[date] = mapped_column(Date)  # the first day, in the store's calendar
    members: Mapped[int] = mapped_column(Integer)
    activated: Mapped[int] = mapped_column(Integer)
    activation_rate: Mapped[Decimal] = mapped_column(Numeric(6, 1, asdecimal=True))
    redeemers: Mapped[int] = mapped_column(Integer)
    redemption_rate: Mapped[Decimal] = mapped_column(Numeric(6, 1, asdecimal=True))
    code_revenue: Mapped[Decimal] = mapped_column(Money)
    repeat_members: Mapped[Decimal] = mapped_column(Numeric(6, 1, asdecimal=True))
    repeat_non_members: Mapped[Decimal] = mapped_column(Numeric(6, 1, asdecimal=True))
    points_outstanding: Mapped[int] = mapped_column(BigInteger)
    points_liability: Mapped[Decimal] = mapped_column(Money)
    store_credit_outstanding: Mapped[Decimal] = mapped_column(Money)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
