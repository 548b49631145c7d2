"""INSERT ... ON CONFLICT DO NOTHING on both backends: the building block of "once per cause"."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

from plugin.extensions import db


def insert_once(model: type[Any], values: dict[str, Any], conflict: list[str]) -> int | None:
    """Insert a row unless one with the same ``conflict`` columns exists; the new id, or None.

    A concurrent insert of the same key waits for the other transaction and then does nothing,
    instead of failing with an IntegrityError (PostgreSQL), or is serialized (SQLite).
    """
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(model)
        .values(**values)
        .on_conflict_do_nothing(index_elements=conflict)
        .returning(model.id)
    )
    return db.session.execute(stmt).scalar()
