"""The app's psycopg cursors describe each shape of result once (plugin.database.cursors)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from plugin.database.cursors import DescribedOnceCursor
from plugin.extensions import db
from plugin.models import Shop


def _cursor():  # type: ignore[no-untyped-def]
    if db.engine.dialect.name != "postgresql":
        pytest.skip("psycopg cursors: PostgreSQL only")
    return db.session.connection().connection.driver_connection.cursor()


def test_the_app_engine_hands_out_the_describing_cursor(shops) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(_cursor(), DescribedOnceCursor)


def test_a_statement_run_again_is_described_by_the_same_columns(shops) -> None:  # type: ignore[no-untyped-def]
    cursor = _cursor()
    statement = "SELECT id, domain, settings FROM shops WHERE id = %s"
    cursor.execute(statement, [shops["us"].id])
    first = cursor.description
    # psycopg prepares a statement on its fifth run; a prepared run is described the same way.
    for _run in range(8):
        cursor.execute(statement, [shops["jp"].id])
        again = cursor.description
        assert [c.name for c in again] == ["id", "domain", "settings"]
        assert all(a is b for a, b in zip(first, again, strict=True))  # built once
        assert again is not first  # a list of its own: a caller changing it changes nothing kept
        assert cursor.fetchone() == (shops["jp"].id, shops["jp"].domain, shops["jp"].settings)


def test_the_same_text_with_other_column_types_is_described_afresh(shops) -> None:  # type: ignore[no-untyped-def]
    cursor = _cursor()
    cursor.execute("SELECT %s AS value", [7])
    number = cursor.description[0]
    cursor.execute("SELECT %s AS value", ["seven"])
    word = cursor.description[0]
    assert number.name == word.name == "value"
    assert number.type_code != word.type_code
    assert word.type_code == cursor.adapters.types["text"].oid


def test_no_rows_no_description(shops) -> None:  # type: ignore[no-untyped-def]
    cursor = _cursor()
    cursor.execute("SET LOCAL statement_timeout TO 0")
    assert cursor.description is None


def test_orm_reads_through_it_answer_the_same(shops) -> None:  # type: ignore[no-untyped-def]
    query = select(Shop.domain, Shop.currency).order_by(Shop.id)
    first = db.session.execute(query).all()
    assert db.session.execute(query).all() == first
    assert db.session.execute(text("SELECT count(*) AS n FROM shops")).one().n == len(first)
