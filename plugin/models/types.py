"""Column types shared by the models."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeGuard

from sqlalchemy import BigInteger, DateTime, Integer, Numeric
from sqlalchemy.types import TypeDecorator

# BIGINT on PostgreSQL; INTEGER on SQLite so that it stays an auto-incrementing rowid alias.
BigId = BigInteger().with_variant(Integer(), "sqlite")
# No row (and no Shopify id) is larger; PostgreSQL refuses to compare a larger number with a BIGINT.
MAX_ID = 2**63 - 1


def is_row_id(value: object) -> TypeGuard[int]:
    """Whether ``value`` can be a row's id: an int (not a bool) from 1 to ``MAX_ID``. Anything else
    names no row, so it is answered as "not found" without asking the database."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


# Enough for KRW totals and cents; amounts are quantized per currency in plugin.program.money.
Money = Numeric(18, 2, asdecimal=True)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """Kept for old callers only: "now" is `plugin.clock.now()` (new code calls that)."""
    from plugin import clock  # local: kept out of the models' import of their column types

    return clock.now()
