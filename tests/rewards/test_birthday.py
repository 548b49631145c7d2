"""The birthday reward (issue 19): off by default; once per year in the birthday month, on the
store's own calendar, in all four stores' time zones; a change of birthday at most once a year."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from plugin import clock
from plugin.extensions import db
from plugin.models import PointEntry
from plugin.points.birthdays import pay_all_due_birthdays
from tests.rewards.conftest import balance


def turn_on(shop, **extra):
    shop.settings = {**(shop.settings or {}), "birthday_enabled": True, **extra}
    db.session.commit()


def birthday_entries(shop, member):
    db.session.expire_all()
    return list(
        db.session.execute(
            select(PointEntry.delta, PointEntry.cause_key)
            .where(
                PointEntry.shop_id == shop.id,
                PointEntry.member_id == member.id,
                PointEntry.kind == "birthday",
            )
            .order_by(PointEntry.id)
        ).all()
    )


def local_midnight(tz: str, year: int, month: int) -> datetime:
    return datetime(year, month, 1, tzinfo=ZoneInfo(tz))


def test_off_by_default(shops, make_member, proxy):
    shop = shops["us"]
    member, customer = make_member(shop, "off@example.com")
    got = proxy("GET", "/birthday", customer=customer)
    assert got.status_code == 200
    assert got.json["enabled"] is False and got.json["points"] == 200
    refused = proxy("PUT", "/birthday", customer=customer, json={"month": 5, "day": 3})
    assert refused.status_code == 404 and refused.json["error"]["code"] == "birthday_off"
    assert pay_all_due_birthdays() == 0
    assert birthday_entries(shop, member) == []


@pytest.mark.parametrize("region", ["us", "eu", "jp", "kr"])
def test_paid_once_in_the_birthday_month_of_the_stores_own_calendar(
    region, shops, make_member, proxy
):
    shop = shops[region]
    tz = clock.zone(shop.timezone, shop.region).key  # the shop's own zone, as Shopify reports it
    turn_on(shop, birthday_points=350 if region == "jp" else 200)
    points = 350 if region == "jp" else 200
    member, customer = make_member(shop, f"bday-{region}@example.com")
    year = clock.now().year + 1
    start = local_midnight(tz, year, 4)
    # Entered in January of that year, for 12 April.
    with time_machine.travel(local_midnight(tz, year, 1) + timedelta(days=3), tick=False):
        saved = proxy(
            "PUT", "/birthday", shop=region, customer=customer, json={"month": 4, "day": 12}
        )
        assert saved.status_code == 200, saved.json
        assert saved.json["birthday"] == {"month": 4, "day": 12}
        assert saved.json["rewarded_this_year"] is False
    # One minute before April begins in the store's zone: still March there, whatever UTC says.
    with time_machine.travel(start - timedelta(minutes=1), tick=False):
        pay_all_due_birthdays()
        assert birthday_entries(shop, member) == []
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        pay_all_due_birthdays()
        pay_all_due_birthdays()  # the sweep runs every 30 s: a rerun pays nothing more
        assert birthday_entries(shop, member) == [(points, f"birthday:{member.id}:{year}")]
        assert (
            proxy("GET", "/birthday", shop=region, customer=customer).json["rewarded_this_year"]
            is True
        )
    with time_machine.travel(start + timedelta(days=29, hours=23), tick=False):  # still April
        pay_all_due_birthdays()
        assert len(birthday_entries(shop, member)) == 1
    with time_machine.travel(local_midnight(tz, year + 1, 4) + timedelta(hours=1), tick=False):
        pay_all_due_birthdays()
        assert birthday_entries(shop, member) == [
            (points, f"birthday:{member.id}:{year}"),
            (points, f"birthday:{member.id}:{year + 1}"),
        ]
    assert balance(shop.id, member.id) == 2 * points


def test_entered_during_the_birthday_month_pays_at_once_and_a_change_waits_a_year(
    shops, make_member, proxy
):
    shop = shops["kr"]
    turn_on(shop)
    member, customer = make_member(shop, "now@example.com")
    tz = clock.zone(shop.timezone, shop.region).key
    year = clock.now().year + 1
    with time_machine.travel(local_midnight(tz, year, 6) + timedelta(days=10), tick=False):
        saved = proxy(
            "PUT", "/birthday", shop="kr", customer=customer, json={"month": 6, "day": 30}
        )
        assert saved.status_code == 200 and saved.json["rewarded_this_year"] is True
        assert saved.json["can_change"] is False
        assert saved.json["next_change_on"] == f"{year + 1}-06-11"
        # Moving it to next month to collect again is refused, and would pay nothing this year
        # anyway.
        moved = proxy("PUT", "/birthday", shop="kr", customer=customer, json={"month": 7, "day": 1})
        assert moved.status_code == 409 and moved.json["error"]["code"] == "birthday_locked"
        # Saving the same birthday again is not a change.
        assert (
            proxy(
                "PUT", "/birthday", shop="kr", customer=customer, json={"month": 6, "day": 30}
            ).status_code
            == 200
        )
    assert len(birthday_entries(shop, member)) == 1
    with time_machine.travel(
        local_midnight(tz, year + 1, 6) + timedelta(days=10, hours=1), tick=False
    ):
        moved = proxy("PUT", "/birthday", shop="kr", customer=customer, json={"month": 7, "day": 1})
        assert moved.status_code == 200 and moved.json["birthday"] == {"month": 7, "day": 1}
    with time_machine.travel(local_midnight(tz, year + 1, 7) + timedelta(hours=1), tick=False):
        pay_all_due_birthdays()
    assert [key for _, key in birthday_entries(shop, member)] == [
        f"birthday:{member.id}:{year}",
        f"birthday:{member.id}:{year + 1}",
    ]


@pytest.mark.parametrize(
    "body",
    [
        {"month": 2, "day": 30},
        {"month": 13, "day": 1},
        {"month": 0, "day": 1},
        {"month": "4", "day": 1},
        {"month": 4},
        {"month": True, "day": 1},
        {"month": 4, "day": 31},
    ],
)
def test_bad_birthdays_are_refused_and_write_nothing(body, shops, make_member, proxy):
    shop = shops["us"]
    turn_on(shop)
    member, customer = make_member(shop, "bad@example.com")
    refused = proxy("PUT", "/birthday", customer=customer, json=body)
    assert refused.status_code == 400 and refused.json["error"]["code"] == "invalid_birthday"
    assert proxy("GET", "/birthday", customer=customer).json["birthday"] is None


def test_leap_day_is_a_birthday(shops, make_member, proxy):
    shop = shops["eu"]
    turn_on(shop)
    _, customer = make_member(shop, "leap@example.com")
    assert (
        proxy(
            "PUT", "/birthday", shop="eu", customer=customer, json={"month": 2, "day": 29}
        ).status_code
        == 200
    )


@pytest.mark.parametrize("who", ["pending", "cancelled"])
def test_a_pending_or_cancelled_id_gets_nothing(who, shops, make_member):
    from plugin.models import MemberBirthday

    shop = shops["jp"]
    turn_on(shop)
    member, _ = make_member(shop, f"{who}@example.com", active=who != "pending")
    if who == "cancelled":
        member.state = "cancelled"
    today = clock.today(clock.zone(shop.timezone, shop.region))
    db.session.add(
        MemberBirthday(shop_id=shop.id, member_id=member.id, month=today.month, day=1, set_on=today)
    )
    db.session.commit()
    assert pay_all_due_birthdays() == 0
    assert birthday_entries(shop, member) == []


def test_the_birthday_is_in_a_data_request_and_gone_after_redaction(
    shops, make_member, proxy, deliver
):
    from plugin.models import DataRequest, MemberBirthday
    from tests import payloads

    shop = shops["us"]
    turn_on(shop)
    member, customer = make_member(shop, "gdpr@example.com")
    assert (
        proxy("PUT", "/birthday", customer=customer, json={"month": 9, "day": 9}).status_code == 200
    )
    deliver(
        "customers/data_request",
        payloads.compliance_customer(shop.domain, int(customer), "gdpr@example.com"),
    )
    record = db.session.execute(select(DataRequest)).scalar_one().record
    assert [(b["month"], b["day"]) for b in record["birthday"]] == [(9, 9)]
    deliver(
        "customers/redact",
        payloads.compliance_customer(shop.domain, int(customer), "gdpr@example.com"),
    )
    db.session.expire_all()
    assert db.session.execute(select(MemberBirthday)).first() is None
