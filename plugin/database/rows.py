"""A shop's row by its id, locked for the step about to change it."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select

from plugin.extensions import db

Row = TypeVar("Row")


def lock_shop_row(model: type[Row], shop_id: int, row_id: int) -> Row | None:
    """``model``'s row ``row_id`` of this shop (never another shop's), locked ``FOR UPDATE`` and
    read afresh (what another transaction committed before the lock counts), or None."""
    table: Any = model
    stmt = (
        select(model)
        .where(table.shop_id == shop_id, table.id == row_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    row: Row | None = db.session.execute(stmt).scalar_one_or_none()
    return row
