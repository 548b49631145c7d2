"""INSERT ... ON CONFLICT DO NOTHING on both backends: the building block of "once per cause"."""

from __future__ import annotations

import functools
import json
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Numeric, Table, TypeDecorator, bindparam, select, text
from sqlalchemy.dialects import sqlite

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
    dialect = db.session.get_bind().dialect
    if dialect.name == "postgresql":
        filled = [_with_defaults(model, row) for row in rows]
        columns = tuple(sorted(filled[0]))
        statement = _recordset_statement(
            dialect,
            table,
            columns,
            tuple(conflict),
            tuple(returning),
            tuple(update or ()),
            tuple(add or ()),
        )
        converts = _json_values(table, columns, dialect)
        for row in filled:  # each a copy already: converted in place
            for name, convert in converts:
                value = row[name]
                if value is not None:
                    row[name] = convert(value)
        return list(db.session.execute(statement, {"rows": json.dumps(filled)}).all())
    upsert = sqlite.insert(table)
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


@functools.cache
def _recordset_statement(
    dialect: Any,
    table: Table,
    columns: tuple[str, ...],
    conflict: tuple[str, ...],
    returning: tuple[str, ...],
    update: tuple[str, ...],
    add: tuple[str, ...],
) -> Any:
    """PostgreSQL's form of the many-row insert: the rows as one JSON array of records.

    A multi-row VALUES list is a new statement for every number of rows, as long as the rows
    make it: SQLAlchemy compiled it, psycopg parsed it again on each execution (statements over
    4 KB are not cached: about 2.7 ms for a batch's devices) and PostgreSQL planned it anew. The
    records' statement is the same text for every batch of a table, so all three keep it (psycopg
    prepares it once per connection), and its one parameter is made by ``json.dumps`` (arrays,
    one per column, cost psycopg as much again to quote). PostgreSQL reads each value with its
    column type's own input (timestamps with their offset, numerics from their exact digits).
    ``json_populate_recordset`` yields the records in order, so the rows are still written in the
    order given.
    """
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    # A JSON column's None is JSON null, as SQLAlchemy writes it (``none_as_null`` is off); the
    # record's null field would be SQL NULL.
    values = ", ".join(
        f"COALESCE({quote(c)}, 'null'::json)" if isinstance(table.c[c].type, JSON) else quote(c)
        for c in columns
    )
    changed = [f"{quote(name)} = EXCLUDED.{quote(name)}" for name in update]
    changed += [
        f"{quote(name)} = {quote(table.name)}.{quote(name)} + EXCLUDED.{quote(name)}"
        for name in add
    ]
    action = f"DO UPDATE SET {', '.join(changed)}" if changed else "DO NOTHING"
    sql = (
        f"INSERT INTO {quote(table.name)} ({names}) SELECT {values} FROM "
        f"json_populate_recordset(NULL::{quote(table.name)}, CAST(:rows AS JSON)) "
        f"ON CONFLICT ({', '.join(quote(c) for c in conflict)}) {action} "
        f"RETURNING {', '.join(quote(c) for c in returning)}"
    )
    # Typed result columns: the columns' own conversions (UTC datetimes) apply to what comes back.
    return text(sql).columns(*(table.c[name] for name in returning))


@functools.cache
def _json_values(
    table: Table, columns: tuple[str, ...], dialect: Any
) -> tuple[tuple[str, Any], ...]:
    """How the values of the columns that need it go into the records: the column type's own
    conversion first (a UTC datetime checked aware), then as JSON carries it (a datetime or a date
    in ISO 8601 with its offset, a Decimal as its exact digits). Numbers, strings, booleans and a
    JSON column's value go as they are."""
    converts: list[tuple[str, Any]] = []
    for name in columns:
        column_type = table.c[name].type
        stored = (
            column_type.impl_instance if isinstance(column_type, TypeDecorator) else column_type
        )
        if isinstance(stored, DateTime | Date):
            converts.append((name, _iso(column_type.bind_processor(dialect))))
        elif isinstance(stored, Numeric):
            converts.append((name, str))
    return tuple(converts)


def _iso(process: Any) -> Any:
    if process is None:
        return lambda value: value.isoformat()
    return lambda value: process(value).isoformat()
