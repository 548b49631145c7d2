"""The dashboard's numbers are the ledger's: they add up, per shop, in the shop's currency."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from plugin.extensions import db
from plugin.models import Redemption, Referral, TradeIn
from plugin.models.types import utcnow
from plugin.reports.queries.dashboard import member_counts
from plugin.reports.queries.points import points_summary
from tests.admin import factories


@pytest.fixture()
def ledger_rows(shops: Any) -> dict[str, Any]:
    us = shops["us"]
    a = factories.member(us, "a@example.com", activated=factories.at("2025-01-10"))  # legacy
    b = factories.member(us, "b@example.com", activated=factories.at("2025-06-10"))  # 2025-04
    c = factories.member(us, "c@example.com", activated=factories.at("2026-01-10"))  # 2025-11
    d = factories.member(us, "d@example.com")  # pending
    for who, delta, kind in [
        (a, 2000, "order"),
        (a, -500, "redemption"),
        (a, 100, "signup"),
        (b, 2000, "order"),
        (b, -1000, "redemption"),
        (b, 1000, "redemption_refund"),
        (b, -300, "expiry"),
        (c, 2000, "order"),
        (c, -2000, "order_clawback"),
        (c, -50, "adjustment"),
        (d, 800, "survey"),
    ]:
        factories.points(us, who, delta, kind)
    factories.points(shops["eu"], a, 9999, "order")  # another shop's ledger never counts here
    return {"a": a, "b": b, "c": c, "d": d}


def test_the_points_summary_reconciles_with_the_ledger(ledger_rows: Any, shops: Any) -> None:
    summary = points_summary(shops["us"])
    assert (summary.issued, summary.redeemed, summary.expired, summary.taken_back) == (
        6900,
        500,
        300,
        2050,
    )
    assert summary.outstanding == 6900 - 500 - 300 - 2050 == 4050
    # a 1600, b 1700, c -50 (not a liability), d 800
    assert summary.positive_balances == 4100 and summary.members_in_debt == 1
    # The catalogue's best fixed rate: $15 for 1,000 points.
    assert summary.value_per_point == Decimal("0.015")
    assert summary.liability == Decimal("61.50")


def test_members_by_cohort(ledger_rows: Any, shops: Any) -> None:
    counts = member_counts(shops["us"])
    assert (counts.total, counts.activated, counts.pending) == (4, 3, 1)
    assert counts.by_cohort == {"legacy": 1, "2025-04": 1, "2025-11": 1}


def test_the_dashboard_page_shows_the_numbers(ledger_rows: Any, shops: Any, admin_get: Any) -> None:
    us = shops["us"]
    db.session.add(
        Redemption(
            shop_id=us.id,
            member_id=ledger_rows["a"].id,
            customer_id="1",
            title="$5 off",
            points=500,
            kind="fixed_amount",
            currency="USD",
            state="issued",
        )
    )
    db.session.add(
        Referral(
            shop_id=us.id,
            referrer_member_id=ledger_rows["a"].id,
            state="rewarded",
            rewarded_at=utcnow(),
        )
    )
    factories.trade_in(us, ledger_rows["c"], state="shipped")
    db.session.commit()
    body = admin_get("/admin/").get_data(as_text=True)
    for label, value in [
        ("Points issued", "6,900"),
        ("Points redeemed", "500"),
        ("Points expired", "300"),
        ("Points outstanding", "4,050"),
        ("Outstanding liability", "61.50 USD"),
        ("Members", "4"),
        ("Activated", "3"),
        ("Cohort Legacy", "1"),
        ("Trade-ins: Shipped", "1"),
    ]:
        assert f'data-stat="{label}">{value}<' in body, label
    assert "Redemptions per day (1)" in body and "Referral conversions per day (1)" in body
    # The two daily charts, and the program results' monthly ones
    # (tests/admin/test_program_results.py).
    from plugin.admin.views.program_results import CHARTS

    assert body.count("<svg") == 2 + len(CHARTS)
    assert db.session.query(TradeIn).count() == 1


def test_the_liability_is_in_the_shops_currency(shops: Any) -> None:
    jp = shops["jp"]
    member = factories.member(jp, "k@example.com", activated=factories.at("2026-02-01"))
    factories.points(jp, member, 1000)
    summary = points_summary(jp)
    # ¥2,400 for 1,000 points is the best rate; yen have no minor unit.
    assert (summary.currency, summary.liability) == ("JPY", Decimal("2400"))
