"""Reads without a transaction (plugin.database.reads), and the writes that meet them: a unit of
work ends the reading and is one transaction; a write outside one is refused before it reaches
the database, where each of its statements would have committed alone.

Real commits: inside the rolled-back test transaction no read can run without one. On SQLite
there is no reading without a transaction: the request's reads are a transaction as ever."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from plugin.database.reads import (
    WriteWhileReading,
    finish_reads,
    read_without_transaction,
    stop_reading,
)
from plugin.database.transaction import unit_of_work
from plugin.extensions import db
from plugin.models import Shop
from tests.benefits.test_read_queries import statements  # noqa: F401  (the fixture)

pytestmark = pytest.mark.commits


def _read(domain: str) -> Shop:
    db.session.commit()  # idle, as a request's session is at its start
    if not read_without_transaction():
        pytest.skip("only PostgreSQL reads without a transaction")
    return db.session.execute(select(Shop).where(Shop.domain == domain)).scalar_one()


def _name(shop_id: int) -> str:
    db.session.rollback()
    db.session.expire_all()
    return db.session.get(Shop, shop_id).name


def test_a_flush_while_reading_is_refused_and_writes_nothing(shops) -> None:  # type: ignore[no-untyped-def]
    us = _read(shops["us"].domain)
    us.name = "changed"
    with pytest.raises(WriteWhileReading):
        db.session.flush()
    assert _name(us.id) != "changed"


def test_a_core_write_while_reading_is_refused(shops) -> None:  # type: ignore[no-untyped-def]
    us = _read(shops["us"].domain)
    with pytest.raises(WriteWhileReading):
        db.session.execute(update(Shop).where(Shop.id == us.id).values(name="changed"))
    assert _name(us.id) != "changed"


def test_a_unit_of_work_ends_the_reading_and_is_one_transaction(shops) -> None:  # type: ignore[no-untyped-def]
    us = _read(shops["us"].domain)
    eu = db.session.execute(select(Shop).where(Shop.domain == shops["eu"].domain)).scalar_one()
    with pytest.raises(RuntimeError, match="half-way"), unit_of_work():
        us.name = "changed"
        db.session.flush()  # in autocommit this UPDATE would stand alone
        eu.name = "changed too"
        db.session.flush()
        raise RuntimeError("half-way")
    assert (_name(us.id), _name(eu.id)) != ("changed", "changed too")
    assert _name(us.id) != "changed" and _name(eu.id) != "changed too"
    # And a unit of work that ends well commits what the reading loaded and it changed.
    us = _read(shops["us"].domain)
    with unit_of_work():
        us.name = "renamed"
    assert _name(us.id) == "renamed"


def test_after_the_reading_ends_writes_are_a_transaction_again(shops) -> None:  # type: ignore[no-untyped-def]
    us = _read(shops["us"].domain)
    stop_reading()
    us = db.session.execute(select(Shop).where(Shop.id == us.id)).scalar_one()
    us.name = "changed"
    db.session.flush()  # not refused: an ordinary transaction, rolled back below
    assert _name(us.id) != "changed"


def test_finish_reads_ends_the_reading_and_keeps_what_was_loaded(shops, statements) -> None:  # type: ignore[no-untyped-def]
    us = _read(shops["us"].domain)
    statements.clear()
    finish_reads()
    assert not db.session().in_transaction()
    assert us.domain == shops["us"].domain and us.name  # loaded: no statement to read it
    assert statements == []
    us = db.session.execute(select(Shop).where(Shop.id == us.id)).scalar_one()
    us.name = "changed"
    db.session.flush()  # a transaction again: not refused, and rolled back below
    assert _name(us.id) != "changed"


def test_finish_reads_in_a_transaction_rolls_it_back(shops) -> None:  # type: ignore[no-untyped-def]
    db.session.commit()
    us = db.session.execute(select(Shop).where(Shop.domain == shops["us"].domain)).scalar_one()
    us.name = "changed"
    db.session.flush()
    finish_reads()
    assert not db.session().in_transaction()
    assert _name(us.id) != "changed"
