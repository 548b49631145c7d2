"""``column IN (values)`` for a batch's many values, as one bound array on PostgreSQL.

SQLAlchemy renders ``in_()`` as one bound parameter per value. A batch of 50 events names 50 ids,
and psycopg caches the conversion of a query's placeholders only for statements of at most 50
parameters: every such statement was parsed again in Python on every batch, and PostgreSQL saw a
different parameter list for each size. ``column = ANY(:values)`` is the same condition with one
parameter whatever the number of values, one statement text. SQLite has no arrays: ``IN`` there.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, any_, literal
from sqlalchemy.dialects.postgresql import ARRAY

from plugin.extensions import db


def one_of(column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """``column`` is one of ``values`` (``column.in_(values)``), in one parameter on PostgreSQL."""
    values = list(values)
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(literal(values, ARRAY(column.type)))  # type: ignore[no-any-return]
    return column.in_(values)  # type: ignore[no-any-return]
