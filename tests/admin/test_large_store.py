"""The large-store loader (``flask seed large-store``), run small: its rows are whole and usable."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from plugin.extensions import db
from plugin.models import Member, PointEntry, ShopCustomer, TradeIn, Wallet, WarrantyClaim


def test_the_loader_fills_a_shop_in_proportion_and_its_pages_open(
    app: Any, shops: Any, admin_get: Any
) -> None:
    result = app.test_cli_runner().invoke(
        args=[
            "seed",
            "large-store",
            "--shop",
            shops["us"].domain,
            "--members",
            "2000",
            "--trade-ins",
            "200",
        ]
    )
    assert result.exit_code == 0, result.output
    counts = json.loads(result.output.strip().splitlines()[-1])
    assert (
        counts["members"] == 2000
        and counts["point_entries"] == 20_000
        and counts["trade_ins"] == 200
    )

    def count(model):  # type: ignore[no-untyped-def]
        return db.session.execute(
            select(func.count()).select_from(model).where(model.shop_id == shops["us"].id)
        ).scalar()

    assert count(PointEntry) == 20_000 and count(ShopCustomer) >= 2000 and count(TradeIn) == 200
    assert count(WarrantyClaim) == 20
    # Balances match the ledger and never go below zero.
    wallets = dict(
        db.session.execute(
            select(Wallet.member_id, Wallet.balance).where(Wallet.shop_id == shops["us"].id)
        ).all()
    )
    sums = dict(
        db.session.execute(
            select(PointEntry.member_id, func.sum(PointEntry.delta))
            .where(PointEntry.shop_id == shops["us"].id)
            .group_by(PointEntry.member_id)
        ).all()
    )
    assert wallets == sums and min(wallets.values()) >= 0
    assert db.session.execute(select(func.count()).select_from(Member)).scalar() >= 2000
    for path in ("/admin/", "/admin/members", "/admin/trade-ins"):
        assert admin_get(path, user="1").status_code == 200, path
