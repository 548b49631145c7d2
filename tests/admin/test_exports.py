"""CSV exports: streamed, complete at any size, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import insert

from plugin.extensions import db
from plugin.models import PointEntry
from plugin.models.types import utcnow
from tests.admin import factories


def test_a_ledger_of_10000_rows_streams_complete(shops: Any, admin_get: Any) -> None:
    us = shops["us"]
    member = factories.member(us, "bulk@example.com")
    now = utcnow()
    db.session.execute(
        insert(PointEntry),
        [
            {
                "shop_id": us.id,
                "member_id": member.id,
                "delta": 10,
                "kind": "order",
                "cause_key": f"bulk:{i}",
                "created_at": now,
            }
            for i in range(10_000)
        ],
    )
    db.session.commit()
    response = admin_get("/admin/exports/ledger.csv")
    assert response.status_code == 200 and response.is_streamed
    assert (
        response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    )
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 10_000
    assert {r["cause_key"] for r in rows} == {f"bulk:{i}" for i in range(10_000)}
    assert sum(int(r["delta"]) for r in rows) == 100_000


def test_cells_that_look_like_formulas_are_defused(shops: Any, admin_get: Any) -> None:
    member = factories.member(shops["us"], "x@example.com", first='=HYPERLINK("http://evil")')
    factories.points(shops["us"], member, -5, kind="adjustment")
    members = list(
        csv.DictReader(io.StringIO(admin_get("/admin/exports/members.csv").get_data(as_text=True)))
    )
    assert members[0]["first_name"].startswith("'=")
    ledger = list(
        csv.DictReader(io.StringIO(admin_get("/admin/exports/ledger.csv").get_data(as_text=True)))
    )
    assert ledger[0]["delta"] == "-5"  # numbers stay numbers


def test_the_trade_ins_export(shops: Any, admin_get: Any) -> None:
    member = factories.member(shops["us"], "t@example.com", activated=factories.at("2026-01-01"))
    factories.trade_in(shops["us"], member, state="approved", value="45.15")
    rows = list(
        csv.DictReader(
            io.StringIO(admin_get("/admin/exports/trade-ins.csv").get_data(as_text=True))
        )
    )
    assert [(r["state"], r["value"], r["currency"], r["email"]) for r in rows] == [
        ("approved", "45.15", "USD", "t@example.com")
    ]


def test_an_unknown_export_is_404(shops: Any, admin_get: Any) -> None:
    assert admin_get("/admin/exports/orders.csv").status_code == 404
