"""The ``shops`` fixture's shortcut (tests.conftest.install_shops: the rows ``add_shop`` wrote once,
inserted again in two statements) writes what ``add_shop`` writes, column for column."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import time_machine
from sqlalchemy import text

from plugin.extensions import db
from tests.conftest import _SHOP_ROWS, SHOP_DOMAINS, add_shops, install_shops

INSTANT = datetime(2026, 3, 14, 15, 9, 26, 535897, tzinfo=UTC)


def stored() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every row of shops and rewards as the database holds it (no type conversion), in id order,
    the ids left out and a reward's shop named by its domain."""
    db.session.flush()
    shops = [
        dict(row) for row in db.session.execute(text("SELECT * FROM shops ORDER BY id")).mappings()
    ]
    domains = {row.pop("id"): row["domain"] for row in shops}
    rewards = []
    for row in db.session.execute(text("SELECT * FROM rewards ORDER BY id")).mappings():
        reward = dict(row)
        del reward["id"]
        reward["shop_id"] = domains[reward["shop_id"]]
        rewards.append(reward)
    return shops, rewards


def test_the_shortcut_writes_the_rows_add_shop_writes(app: Any) -> None:
    with time_machine.travel(INSTANT, tick=False):
        made = add_shops()
        assert {region: shop.domain for region, shop in made.items()} == SHOP_DOMAINS
        by_add_shop = stored()
        db.session.rollback()
        install_shops()  # the first use in this process captures the rows
        db.session.rollback()
        assert str(db.engine.url) in _SHOP_ROWS
        installed = install_shops()
        by_shortcut = stored()

    assert {region: shop.domain for region, shop in installed.items()} == SHOP_DOMAINS
    assert len(by_add_shop[0]) == 4 and len(by_add_shop[1]) >= 4  # a catalogue per shop
    assert by_shortcut == by_add_shop
    for region, shop in installed.items():
        assert shop.region == region and shop.installed_at == INSTANT
        assert shop.installed and len(shop.settings) == 0


def test_the_shops_fixture_gives_each_test_its_four_installed_shops(shops: Any) -> None:
    assert {region: shop.domain for region, shop in shops.items()} == SHOP_DOMAINS
    for shop in shops.values():
        assert shop.installed and shop.installed_at is not None
        assert db.session.execute(
            text("SELECT count(*) FROM rewards WHERE shop_id = :id"), {"id": shop.id}
        ).scalar()
