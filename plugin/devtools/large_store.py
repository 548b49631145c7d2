"""A store the size of tesmart.com's in a few years, for measuring the admin (issue 17's Built for
Shopify budgets, issue 19's dashboard): ``flask seed large-store``.

By default 200,000 members, 2,000,000 ledger entries (ten per member), 20,000 trade-ins, and in
proportion 20,000 reward redemptions, 400,000 orders, 4,000 returns and 2,000 warranty claims,
spread over the last 24 store months. Rows go in as set-based multi-row inserts in batches (one
statement per table and batch; SQLAlchemy's executemany / insertmanyvalues), never one ORM object
at a time. Random but repeatable (a fixed seed).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select

from plugin import clock
from plugin.extensions import db
from plugin.models import (
    Device,
    Member,
    Order,
    PointEntry,
    Redemption,
    ReturnRequest,
    Shop,
    ShopCustomer,
    TradeIn,
    Wallet,
    WarrantyClaim,
)

BATCH = 10_000


@dataclass(frozen=True)
class Size:
    members: int = 200_000
    entries_per_member: int = 10
    trade_ins: int = 20_000

    @property
    def every_trade_in(self) -> int:
        return max(1, self.members // max(1, self.trade_ins))


def load(
    shop: Shop, size: Size = Size(), *, progress: Callable[[str], None] = lambda _: None
) -> dict[str, int]:
    """Add ``size`` worth of rows to ``shop``; returns the row counts written per table."""
    rng = random.Random(17)
    now = clock.now()
    start = now - timedelta(days=730)
    span = (now - start).total_seconds()
    first_member = (
        int(db.session.execute(select(func.coalesce(func.max(Member.id), 0))).scalar_one()) + 1
    )
    first_device = (
        int(db.session.execute(select(func.coalesce(func.max(Device.id), 0))).scalar_one()) + 1
    )
    counts = dict.fromkeys(
        (
            "members",
            "point_entries",
            "orders",
            "redemptions",
            "trade_ins",
            "return_requests",
            "warranty_claims",
        ),
        0,
    )
    device_id = first_device
    every = size.every_trade_in

    def at() -> datetime:
        return start + timedelta(seconds=rng.random() * span)

    for offset in range(0, size.members, BATCH):
        ids = range(first_member + offset, first_member + min(offset + BATCH, size.members))
        joined = {i: at() for i in ids}
        rows: dict[type, list[dict]] = {
            t: []
            for t in (
                Member,
                ShopCustomer,
                PointEntry,
                Wallet,
                Order,
                Redemption,
                Device,
                TradeIn,
                ReturnRequest,
                WarrantyClaim,
            )
        }
        for i in ids:
            email = f"large{i}@example.com"
            customer = str(8_000_000_000 + i)
            rows[Member].append(
                {
                    "id": i,
                    "email_normalized": email,
                    "email": email,
                    "state": "open",
                    "activated_at": joined[i] + timedelta(days=1) if i % 3 else None,
                    "registered_at": joined[i],
                    "imported": False,
                    "created_at": joined[i],
                }
            )
            rows[ShopCustomer].append(
                {
                    "shop_id": shop.id,
                    "customer_id": customer,
                    "member_id": i,
                    "email": email,
                    "newsletter_subscribed": False,
                    "verified_email": True,
                    "orders_count": 2,
                    "created_at": joined[i],
                }
            )
            balance = 0
            for n in range(size.entries_per_member):
                delta = rng.choice((100, 500, 2000, -500))
                if balance + delta < 0:
                    delta = -delta
                balance += delta
                rows[PointEntry].append(
                    {
                        "shop_id": shop.id,
                        "member_id": i,
                        "delta": delta,
                        "kind": "order" if delta > 0 else "redemption",
                        "cause_key": f"large:{i}:{n}",
                        "created_at": at(),
                    }
                )
            rows[Wallet].append({"shop_id": shop.id, "member_id": i, "balance": balance})
            for n in range(2):
                paid = at()
                rows[Order].append(
                    {
                        "shop_id": shop.id,
                        "order_id": f"L{i}-{n}",
                        "member_id": i,
                        "customer_id": customer,
                        "currency": shop.currency,
                        "net_amount": Decimal("99.00"),
                        "total_amount": Decimal("109.00"),
                        "refunded_amount": Decimal(0),
                        "points_awarded": 500,
                        "points_clawed_back": 0,
                        "paid_at": paid,
                        "discount_codes": [f"TSM-L{i}"] if i % 10 == 0 and n == 0 else [],
                        "test": False,
                        "created_at": paid,
                    }
                )
            if i % 10 == 0:
                rows[Redemption].append(
                    {
                        "shop_id": shop.id,
                        "member_id": i,
                        "customer_id": customer,
                        "purpose": "reward",
                        "title": "$5 off",
                        "points": 500,
                        "kind": "fixed_amount",
                        "amount": Decimal(5),
                        "currency": shop.currency,
                        "state": "issued",
                        "code": f"TSM-L{i}",
                        "created_at": at(),
                    }
                )
            if i % 50 == 0:
                rows[ReturnRequest].append(
                    {
                        "shop_id": shop.id,
                        "member_id": i,
                        "customer_id": customer,
                        "order_id": f"L{i}-0",
                        "reason": "changed_mind",
                        "description": "",
                        "outcome": "refund",
                        "return_shipping_paid_by": "customer",
                        "state": "requested",
                        "photos": [],
                        "created_at": at(),
                    }
                )
            if i % every == 0 or i % 100 == 0:
                device = {
                    "id": device_id,
                    "shop_id": shop.id,
                    "member_id": i,
                    "order_id": f"L{i}-0",
                    "line_item_id": f"{i}",
                    "unit_index": 0,
                    "title": "TESmart KVM switch",
                    "category": "kvm",
                    "serial_verified": False,
                    "purchased_on": joined[i].date(),
                    "amount_paid": Decimal("109.00"),
                    "currency": shop.currency,
                }
                rows[Device].append(device)
                if i % every == 0:
                    rows[TradeIn].append(
                        {
                            "shop_id": shop.id,
                            "member_id": i,
                            "device_id": device_id,
                            "state": "quoted",
                            "kind": "upgrade",
                            "percent": Decimal("30.00"),
                            "value": Decimal("32.70"),
                            "currency": shop.currency,
                            "condition": {},
                            "created_at": at(),
                            "updated_at": now,
                        }
                    )
                if i % 100 == 0:
                    rows[WarrantyClaim].append(
                        {
                            "shop_id": shop.id,
                            "member_id": i,
                            "device_id": device_id,
                            "state": "open",
                            "outcome": "repair",
                            "return_shipping_paid_by": "store",
                            "description": "",
                            "created_at": at(),
                        }
                    )
                device_id += 1
        for table in (
            Member,
            ShopCustomer,
            PointEntry,
            Wallet,
            Order,
            Redemption,
            Device,
            TradeIn,
            ReturnRequest,
            WarrantyClaim,
        ):
            if rows[table]:
                db.session.execute(insert(table), rows[table])
        db.session.commit()
        counts["members"] += len(rows[Member])
        counts["point_entries"] += len(rows[PointEntry])
        counts["orders"] += len(rows[Order])
        counts["redemptions"] += len(rows[Redemption])
        counts["trade_ins"] += len(rows[TradeIn])
        counts["return_requests"] += len(rows[ReturnRequest])
        counts["warranty_claims"] += len(rows[WarrantyClaim])
        progress(f"{counts['members']:,} members")
    return counts
