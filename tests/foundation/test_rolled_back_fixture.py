"""The suite's rolled-back test (tests/conftest.py ``OuterTransaction``) keeps what one session
committed when another, whose savepoint began earlier, rolls back or closes: as separate
connections do in production."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import event, select

from plugin.extensions import db
from plugin.models import Shop
from plugin.shops.registry import add_shop
from tests.conftest import FIXTURE_STATEMENTS


def rename_elsewhere(app: Flask, shop_id: int, name: str) -> None:
    """Another session (a request's, a job's) commits a change."""
    with app.app_context():
        db.session.get(Shop, shop_id).name = name
        db.session.commit()


def name_of(shop_id: int) -> str:
    db.session.remove()
    return db.session.execute(select(Shop.name).where(Shop.id == shop_id)).scalar_one()


def test_a_read_rolled_back_later_keeps_what_another_session_committed_meanwhile(
    app: Flask,
) -> None:
    shop_id = add_shop("fixture-a.myshopify.com", "us").id
    db.session.commit()
    assert db.session.get(Shop, shop_id) is not None  # this session's savepoint begins
    rename_elsewhere(app, shop_id, "Renamed elsewhere")
    db.session.rollback()  # the read ends (a storefront view's rollback, an error answer)
    assert name_of(shop_id) == "Renamed elsewhere"


def test_a_session_closed_later_keeps_what_another_session_committed_meanwhile(
    app: Flask,
) -> None:
    shop_id = add_shop("fixture-b.myshopify.com", "us").id
    db.session.commit()
    db.session.get(Shop, shop_id)
    rename_elsewhere(app, shop_id, "Committed by a job")
    assert name_of(shop_id) == "Committed by a job"  # remove() closes the first session


def test_what_the_rolled_back_session_wrote_itself_is_undone(app: Flask) -> None:
    shop_id = add_shop("fixture-c.myshopify.com", "us").id
    db.session.commit()
    db.session.get(Shop, shop_id).name = "Never committed"
    db.session.flush()
    db.session.rollback()
    assert name_of(shop_id) != "Never committed"


def test_listeners_on_db_engine_see_the_tests_statements(app: Flask) -> None:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.startswith(FIXTURE_STATEMENTS):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        db.session.execute(select(Shop.id)).all()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(seen) == 1 and seen[0].startswith("SELECT")
