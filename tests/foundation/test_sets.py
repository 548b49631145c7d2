"""``one_of``: ``column IN (values)`` for a batch's many values, as one bound array on PostgreSQL
(plugin.database.sets)."""

from __future__ import annotations

from sqlalchemy import select

from plugin.database.sets import one_of
from plugin.extensions import db
from plugin.models import Shop


def test_one_of_answers_what_in_answers(shops) -> None:  # type: ignore[no-untyped-def]
    chosen = [shops["us"].id, shops["jp"].id, 10**15]
    found = db.session.execute(select(Shop.domain).where(one_of(Shop.id, chosen))).scalars()
    assert sorted(found) == sorted([shops["us"].domain, shops["jp"].domain])
    by_text = db.session.execute(
        select(Shop.id).where(one_of(Shop.domain, {shops["eu"].domain}))
    ).scalars()
    assert list(by_text) == [shops["eu"].id]
    assert db.session.execute(select(Shop.id).where(one_of(Shop.id, []))).all() == []


def test_on_postgresql_any_number_of_values_is_one_parameter(shops) -> None:  # type: ignore[no-untyped-def]
    def compiled(count: int) -> tuple[str, int]:
        statement = select(Shop.id).where(one_of(Shop.id, range(count))).compile(db.engine)
        return str(statement), len(statement.params)

    if db.engine.dialect.name == "postgresql":
        assert compiled(3) == compiled(500)
        assert compiled(500)[1] == 1 and "ANY" in compiled(500)[0]
    else:  # SQLite has no arrays: a plain IN
        assert " IN " in compiled(3)[0]
