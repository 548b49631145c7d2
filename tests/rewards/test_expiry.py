"""Points expiry (POLICY.md 3): off by default; a shop that sets N months has unused points lapse
by a ledger entry the day after their last usable day, and the widget says how many and when."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from plugin import ledger
from plugin.extensions import db
from plugin.jobs.periodic import run_periodic
from plugin.models import PointEntry, Shop
from plugin.models.types import utcnow
from plugin.points.expiry import expire_shop, upcoming
from plugin.program.calendar import add_months
from tests.contract.openapi_check import assert_response_matches_openapi
from tests.rewards.conftest import balance

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def earned(shop, member, points: int, at: datetime, key: str) -> None:  # type: ignore[no-untyped-def]
    ledger.post_entry(
        shop_id=shop.id, member_id=member.id, delta=points, kind="survey", cause_key=key, at=at
    )
    db.session.commit()


def expiry_after(shop, months: int) -> Shop:  # type: ignore[no-untyped-def]
    stored = db.session.get(Shop, shop.id)
    stored.settings = {**(stored.settings or {}), "points_expiry_months": months}
    # Reconciled just now, so run_periodic leaves reconciliation alone: the fake's customers are
    # stamped to the second, and one made in the second after the shop's install would rightly
    # earn sign-up points through it, which these tests of expiry do not count on.
    stored.last_reconciled_at = utcnow()
    db.session.commit()
    return stored


def test_expiry_is_off_by_default(shops, make_member, proxy) -> None:  # type: ignore[no-untyped-def]
    member, customer = make_member(shops["us"], "ann@example.com")
    earned(shops["us"], member, 900, datetime(2024, 1, 5, tzinfo=UTC), "old")
    assert upcoming(shops["us"], member.id, NOW) is None
    assert expire_shop(shops["us"], NOW) == 0
    body = proxy("GET", "/member", customer=customer).get_json()
    assert body["points"] == {"balance": 900, "expiring": None}


def test_the_widget_says_how_many_points_expire_and_when(shops, make_member, proxy) -> None:  # type: ignore[no-untyped-def]
    shop = expiry_after(shops["jp"], 12)
    member, customer = make_member(shop, "ken@example.jp")
    earned(shop, member, 800, datetime(2026, 2, 10, 3, 0, tzinfo=UTC), "survey-a")
    earned(
        shop, member, 100, datetime(2026, 3, 31, 16, 0, tzinfo=UTC), "survey-b"
    )  # April 1 in Tokyo
    assert upcoming(shop, member.id, NOW) == (900, date(2027, 4, 1))
    response = proxy("GET", "/member", shop="jp", customer=customer)
    assert_response_matches_openapi(response)
    assert response.get_json()["points"]["expiring"] == {"points": 900, "on": "2027-04-01"}


def test_unused_points_lapse_once_by_a_ledger_entry(shops, make_member) -> None:  # type: ignore[no-untyped-def]
    shop = expiry_after(shops["us"], 12)
    idle, _ = make_member(shop, "idle@example.com")
    busy, _ = make_member(shop, "busy@example.com")
    long_ago = utcnow() - timedelta(days=400)
    earned(shop, idle, 700, long_ago, "idle-1")
    earned(shop, busy, 700, long_ago, "busy-1")
    earned(shop, busy, 100, utcnow() - timedelta(days=60), "busy-2")

    assert (
        run_periodic()["points_expiry"] == 1
    )  # the sweep's periodic task, as `flask clock` runs it
    assert run_periodic()["points_expiry"] == 0  # a rerun writes nothing

    assert balance(shop.id, idle.id) == 0
    assert balance(shop.id, busy.id) == 800
    [entry] = db.session.execute(select(PointEntry).where(PointEntry.kind == "expiry")).scalars()
    last_day = add_months(long_ago.astimezone(ZoneInfo("America/Los_Angeles")).date(), 12)
    assert (entry.member_id, entry.delta, entry.cause_key) == (
        idle.id,
        -700,
        f"expiry:{idle.id}:{last_day.isoformat()}",
    )


def test_the_last_usable_day_is_inside(shops, make_member) -> None:  # type: ignore[no-untyped-def]
    shop = expiry_after(shops["us"], 6)
    member, _ = make_member(shop, "ann@example.com")
    earned(shop, member, 500, datetime(2026, 5, 22, 18, 0, tzinfo=UTC), "a")  # May 22, Los Angeles
    last_day = datetime(2026, 11, 22, 18, 0, tzinfo=UTC)  # Nov 22 in Los Angeles
    assert expire_shop(shop, last_day) == 0
    assert expire_shop(shop, datetime(2026, 11, 23, 18, 0, tzinfo=UTC)) == 1
    assert balance(shop.id, member.id) == 0


def test_a_negative_balance_never_expires(shops, make_member) -> None:  # type: ignore[no-untyped-def]
    shop = expiry_after(shops["us"], 1)
    member, _ = make_member(shop, "ann@example.com")
    earned(shop, member, -300, datetime(2025, 1, 1, tzinfo=UTC), "clawback")
    assert expire_shop(shop, NOW) == 0
    assert upcoming(shop, member.id, NOW) is None
