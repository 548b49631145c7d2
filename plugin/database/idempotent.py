"""INSERT ... ON CONFLICT DO NOTHING on both backends: the building block of "once per cause"."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select, text
from sqlalchemy.dialects import postgresql, sqlite

from plugin.extensions import db

# SQLAlchemy does not cache the compiled form of the dialects' ON CONFLICT constructs, so building
# one per call recompiles it every time (six times per paid order). The statement is the same for
# a given table, column set and conflict target: build it once as typed text and reuse it.
_statements: dict[tuple[str, str, tuple[str, ...], tuple[str, ...], bool], Any] = {}


def _statement(
    model: type[Any], columns: tuple[str, ...], conflict: tuple[str, ...], whole: bool = False
) -> Any:
    dialect = db.session.get_bind().dialect
    key = (dialect.name, model.__tablename__, columns, conflict, whole)
    statement = _statements.get(key)
    if statement is None:
        table = model.__table__
        quote = dialect.identifier_preparer.quote
        sql = (
            f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
            f"VALUES ({', '.join(':' + c for c in columns)}) "
            f"ON CONFLICT ({', '.join(quote(c) for c in conflict)}) DO NOTHING RETURNING "
            + (", ".join(quote(c.name) for c in table.columns) if whole else "id")
        )
        # Typed parameters, so the columns' own conversions (UTC datetimes, JSON, Decimal) apply.
        statement = text(sql).bindparams(*(bindparam(c, type_=table.c[c].type) for c in columns))
        if whole:  # the new row as the model's object, in the session like any loaded one
            statement = select(model).from_statement(statement.columns(*table.columns))
        _statements[key] = statement
    return statement


def insert_once(model: type[Any], values: dict[str, Any], conflict: list[str]) -> int | None:
    """Insert a row unless one with the same ``conflict`` columns exists; the new id, or None.

    A concurrent insert of the same key waits for the other transaction and then does nothing,
    instead of failing with an IntegrityError (PostgreSQL), or is serialized (SQLite).
    """
    row = _with_defaults(model, values)
    statement = _statement(model, tuple(sorted(row)), tuple(conflict))
    return db.session.execute(statement, row).scalar()


def insert_once_returning(model: type[Any], values: dict[str, Any], conflict: list[str]) -> Any:
    """``insert_once`` that gives the new row back as the model's object, in the same statement
    (the row is this transaction's until it commits); None when a row with the same ``conflict``
    columns exists."""
    row = _with_defaults(model, values)
    statement = _statement(model, tuple(sorted(row)), tuple(conflict), whole=True)
    return db.session.execute(statement, row).scalar_one_or_none()


def _with_defaults(model: type[Any], values: dict[str, Any]) -> dict[str, Any]:
    table = model.__table__
    row = dict(values)
    for column in table.columns:  # the Python-side defaults an ORM insert would have applied
        if column.name not in row and column.default is not None and not column.primary_key:
            default = column.default
            if default.is_callable:
                row[column.name] = default.arg(None)
            elif default.is_scalar:
                row[column.name] = default.arg
    return row


def insert_many_once(
    model: type[Any],
    rows: list[dict[str, Any]],
    conflict: list[str],
    returning: list[str],
    *,
    update: list[str] | None = None,
    add: list[str] | None = None,
) -> list[Any]:
    """``insert_once`` for many rows in one statement: the ``returning`` columns of the rows
    inserted (those whose ``conflict`` columns had a row already are left out).

    ``update``: columns a row that exists takes from the new one instead (an upsert; then every row
    is returned); ``add``: columns a row that exists adds the new value to (a balance). Rows name
    the same columns; the columns' own defaults fill the rest, as an ORM insert would. The rows
    are written in the order given, so callers that lock rows this way sort them first.
    """
    if not rows:
        return []
    table = model.__table__
    dialect = db.session.get_bind().dialect.name
    upsert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    changed: dict[str, Any] = {name: upsert.excluded[name] for name in update or ()}
    changed.update({name: table.c[name] + upsert.excluded[name] for name in add or ()})
    statement = (
        upsert.on_conflict_do_update(index_elements=conflict, set_=changed)
        if changed
        else upsert.on_conflict_do_nothing(index_elements=conflict)
    ).returning(*(table.c[name] for name in returning))
    # Many parameter sets and RETURNING: SQLAlchemy's "insertmanyvalues" sends them as one
    # multi-row INSERT (one round trip), whatever the number of rows.
    return list(db.session.execute(statement, rows).all())
