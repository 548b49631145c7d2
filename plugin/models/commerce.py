"""What the app keeps of Shopify's catalogue and orders: products, orders, refunds, devices."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from plugin import clock
from plugin.extensions import Model
from plugin.models.types import BigId, Money, UTCDateTime


class Product(Model):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("shop_id", "product_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    product_id: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(512), default="")
    product_type: Mapped[str] = mapped_column(String(255), default="")
    tags: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(32), default="other")
    shopify_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Order(Model):
    """A paid (or cancelled/refunded) order as far as the program needs it."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("shop_id", "order_id"),
        Index("ix_orders_shop_id_paid_at", "shop_id", "paid_at"),
        Index("ix_orders_shop_id_customer_id", "shop_id", "customer_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    order_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str | None] = mapped_column(String(64))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    customer_id: Mapped[str | None] = mapped_column(String(32), index=True)
    # The shop's currency: every amount of the order here is shop money (POLICY.md 3).
    currency: Mapped[str] = mapped_column(String(3))
    # What the customer paid in, and the total in it: the rate for refunds known only in it.
    presentment_currency: Mapped[str | None] = mapped_column(String(3))
    presentment_total: Mapped[Decimal | None] = mapped_column(Money)
    # The points base: line prices after discounts, without tax and shipping (POLICY.md 3).
    net_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    total_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    refunded_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    points_awarded: Mapped[int] = mapped_column(Integer, default=0)
    points_clawed_back: Mapped[int] = mapped_column(Integer, default=0)
    placed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fulfilled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivery_country: Mapped[str | None] = mapped_column(String(2))
    delivery_address: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    discount_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    test: Mapped[bool] = mapped_column(Boolean, default=False)
    shopify_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class OrderRefund(Model):
    """A refund, kept even when it arrives before its order, so clawback is order-independent."""

    __tablename__ = "order_refunds"
    __table_args__ = (UniqueConstraint("shop_id", "refund_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    order_id: Mapped[str] = mapped_column(String(32), index=True)
    refund_id: Mapped[str] = mapped_column(String(32))
    # Shop money given back; while ``in_shop_money`` is false it waits for the order's rate to
    # convert ``presentment_amount`` (a refund in the customer's currency that came first).
    amount: Mapped[Decimal] = mapped_column(Money)
    in_shop_money: Mapped[bool] = mapped_column(Boolean, default=True)
    presentment_amount: Mapped[Decimal | None] = mapped_column(Money)
    presentment_currency: Mapped[str | None] = mapped_column(String(3))
    # Transactions still pending: counted once they settle (reconciliation reads them again).
    pending: Mapped[bool] = mapped_column(Boolean, default=False)
    # line item id -> units refunded, so units refunded before payment never register.
    line_quantities: Mapped[dict[str, int] | None] = mapped_column(JSON)
    refunded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Device(Model):
    """A registered unit: one per unit of a paid order line in a warranty category."""

    __tablename__ = "devices"
    __table_args__ = (
        UniqueConstraint("shop_id", "line_item_id", "unit_index"),
        UniqueConstraint("shop_id", "serial"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    order_id: Mapped[str] = mapped_column(String(32), index=True)
    order_name: Mapped[str | None] = mapped_column(String(64))
    line_item_id: Mapped[str] = mapped_column(String(32))
    unit_index: Mapped[int] = mapped_column(Integer, default=0)
    product_id: Mapped[str | None] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(512), default="")
    category: Mapped[str] = mapped_column(String(32))
    serial: Mapped[str | None] = mapped_column(String(128))
    serial_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    purchased_on: Mapped[date] = mapped_column(Date)
    amount_paid: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    delivery_country: Mapped[str | None] = mapped_column(String(2))
    # A warranty replacement is its own device, covered until cover_until (POLICY.md 4).
    replacement_of_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    cover_until: Mapped[date | None] = mapped_column(Date)
    replacement_used: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16), default="registered")  # registered|void
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
