"""What every admin page's queries stand on: the shop's members, rows scoped to the shop, and
the store-local day of a timestamp."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, cast, func, select, union
from sqlalchemy.sql.elements import ColumnElement

from plugin import clock
from plugin.extensions import db
from plugin.models import ShopCustomer, Wallet


def day_of(column: Any, zone: ZoneInfo | None = None) -> ColumnElement[Any]:
    """The calendar day of a timestamp column in ``zone`` (the store's, POLICY.md 1; UTC by
    default). PostgreSQL converts each row with the zone's own rules; SQLite, which stores UTC and
    knows no zones, shifts by the zone's offset now (exact except across a DST change)."""
    name = zone.key if zone is not None else "UTC"
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone(name, column), Date)
    offset = clock.now().astimezone(zone).utcoffset() if zone is not None else None
    minutes = int(offset.total_seconds() // 60) if offset else 0
    return func.date(column, f"{minutes:+d} minutes") if minutes else func.date(column)


def shop_member_ids(shop_id: int) -> Any:
    """The members this shop knows: a customer of the shop, or a wallet in it."""
    return union(
        select(ShopCustomer.member_id.label("member_id")).where(
            ShopCustomer.shop_id == shop_id, ShopCustomer.member_id.is_not(None)
        ),
        select(Wallet.member_id.label("member_id")).where(Wallet.shop_id == shop_id),
    ).subquery()


def rows_of(
    model: Any, shop_id: int, *where: Any, order: Any = None, limit: int = 200
) -> list[Any]:
    """Rows of a shop-scoped model (the shop filter is not optional)."""
    stmt = select(model).where(model.shop_id == shop_id, *where)
    stmt = stmt.order_by(order if order is not None else model.id.desc()).limit(limit)
    return list(db.session.execute(stmt).scalars())
