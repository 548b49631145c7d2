"""A cohort is fixed by the store-local registration day and never moves (POLICY.md 1, 2).

The registration day is the registering store's calendar day (activation seen on the storefront,
or the old program's date on import); the cohort it fixes is stored on the member. No later change
of a cutoff setting moves it: a change applies only to members who register after it, and the
settings page says, before saving, how many members each change would have moved.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from plugin import clock
from plugin.accounts import activate, cohort_of, get_or_create_member, link_customer
from plugin.extensions import db
from plugin.members.importer import RowError, import_row
from plugin.models import Member
from plugin.shops.settings import program_settings
from tests import payloads
from tests.conftest import SHOP_DOMAINS

ZONES = {"us": "America/New_York", "eu": "Europe/Berlin", "jp": "Asia/Tokyo", "kr": "Asia/Seoul"}


def member(email: str) -> Member:
    db.session.expire_all()
    return db.session.execute(select(Member).where(Member.email_normalized == email)).scalar_one()


def local(region: str, day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(ZONES[region]))


# The two cutoff days of the default settings, at 23:30 on the day and 00:30 on the day after.
BOUNDARIES = [
    (date(2025, 3, 31), (23, 30), "legacy"),
    (date(2025, 4, 1), (0, 30), "2025-04"),
    (date(2025, 10, 31), (23, 30), "2025-04"),
    (date(2025, 11, 1), (0, 30), "2025-11"),
]
CASES = [
    pytest.param(region, day, hm, cohort, id=f"{region}-{day}-{hm[0]:02d}{hm[1]:02d}")
    for region in ZONES
    for day, hm, cohort in BOUNDARIES
]


@pytest.mark.parametrize(("region", "day", "hm", "cohort"), CASES)
def test_a_storefront_login_fixes_the_cohort_by_the_store_s_own_day(
    shops, deliver, proxy, region, day, hm, cohort
) -> None:  # type: ignore[no-untyped-def]
    email = f"seen.{region}@example.com"
    customer = payloads.customer(email=email, verified_email=False)
    assert deliver("customers/create", customer, shop=region).status_code == 200
    seen = local(region, day, *hm)
    with time_machine.travel(seen, tick=False):
        assert proxy("GET", "/member", shop=region, customer=customer["id"]).status_code == 200
    found = member(email)
    assert found.activated_at == seen
    assert (found.registered_on, found.cohort) == (day, cohort)
    assert cohort_of(found, program_settings(shops[region]).cutoffs) == cohort


@pytest.mark.parametrize(
    ("region", "registered_at", "day", "cohort"),
    [
        # Seed 002's member: 31 March by their own clock, 1 April in UTC.
        ("us", "2025-03-31T20:00:00-07:00", date(2025, 3, 31), "legacy"),
        # Read with its offset, then on the importing store's calendar: Tokyo is already 1 April.
        ("jp", "2025-03-31T20:00:00-07:00", date(2025, 4, 1), "2025-04"),
        ("eu", "2025-03-31T21:30:00Z", date(2025, 3, 31), "legacy"),  # 23:30 Berlin
        ("eu", "2025-03-31T22:30:00Z", date(2025, 4, 1), "2025-04"),  # 00:30 Berlin
        # Without an offset: the importing store's local time and day.
        ("jp", "2025-03-31T23:30:00", date(2025, 3, 31), "legacy"),
        ("kr", "2025-04-01T00:30:00", date(2025, 4, 1), "2025-04"),
        ("us", "2025-10-31T23:30:00", date(2025, 10, 31), "2025-04"),
        ("kr", "2025-10-31", date(2025, 10, 31), "2025-04"),
        ("jp", "2025-11-01", date(2025, 11, 1), "2025-11"),
    ],
)
def test_an_imported_registration_is_read_with_its_offset_or_on_the_store_s_calendar(
    shops, region, registered_at, day, cohort
) -> None:  # type: ignore[no-untyped-def]
    import_row(
        {
            "email": "old@example.com",
            "registered_at": registered_at,
            "shop": SHOP_DOMAINS[region],
            "points": "0",
        }
    )
    db.session.commit()
    found = member("old@example.com")
    assert (found.registered_on, found.cohort) == (day, cohort)


def test_an_import_earlier_than_the_activation_here_fixes_the_cohort_a_later_one_does_not(
    shops, deliver, proxy
) -> None:  # type: ignore[no-untyped-def]
    customer = payloads.customer(email="both@example.com", verified_email=False)
    assert deliver("customers/create", customer).status_code == 200
    assert proxy("GET", "/member", customer=customer["id"]).status_code == 200
    activated = member("both@example.com")
    assert activated.cohort == "2025-11"
    activated_at = activated.activated_at

    later = clock.now() - timedelta(minutes=1)
    import_row(
        {
            "email": "both@example.com",
            "registered_at": later.isoformat(),
            "shop": SHOP_DOMAINS["us"],
            "points": "0",
        }
    )
    db.session.commit()
    assert member("both@example.com").cohort == "2025-11"

    import_row(
        {
            "email": "both@example.com",
            "registered_at": "2024-06-01",
            "shop": SHOP_DOMAINS["us"],
            "points": "0",
        }
    )
    db.session.commit()
    found = member("both@example.com")
    assert (found.registered_on, found.cohort, found.activated_at) == (
        date(2024, 6, 1),
        "legacy",
        activated_at,
    )


def test_a_registration_in_the_future_is_refused(shops) -> None:  # type: ignore[no-untyped-def]
    tomorrow = clock.today(clock.zone("Asia/Tokyo")) + timedelta(days=2)
    with pytest.raises(RowError):
        import_row(
            {
                "email": "soon@example.com",
                "registered_at": tomorrow.isoformat(),
                "shop": SHOP_DOMAINS["jp"],
                "points": "0",
            }
        )


# Each cutoff moved so that an existing member would fall into another cohort.
MOVES = [
    pytest.param(
        {"legacy_until": "2024-03-31", "april_until": "2025-10-31"},
        date(2024, 6, 1),
        "legacy",
        "2025-04",
        id="legacy cutoff earlier (seed 000's date)",
    ),
    pytest.param(
        {"legacy_until": "2025-06-30", "april_until": "2025-10-31"},
        date(2025, 5, 1),
        "2025-04",
        "legacy",
        id="legacy cutoff later",
    ),
    pytest.param(
        {"legacy_until": "2025-03-31", "april_until": "2025-06-30"},
        date(2025, 8, 1),
        "2025-04",
        "2025-11",
        id="2025-04 cutoff earlier",
    ),
    pytest.param(
        {"legacy_until": "2025-03-31", "april_until": "2025-12-31"},
        date(2025, 11, 15),
        "2025-11",
        "2025-04",
        id="2025-04 cutoff later",
    ),
]


@pytest.mark.parametrize(("cutoffs", "registered", "cohort", "would_be"), MOVES)
def test_changing_a_cutoff_setting_cannot_move_an_existing_member(
    shops, admin_post, admin_get, cutoffs, registered, cohort, would_be
) -> None:  # type: ignore[no-untyped-def]
    us = shops["us"]
    import_row(
        {
            "email": "kept@example.com",
            "registered_at": registered.isoformat(),
            "shop": us.domain,
            "points": "0",
        }
    )
    link_customer(us, "7000001", member=member("kept@example.com"), email="kept@example.com")
    db.session.commit()
    assert member("kept@example.com").cohort == cohort

    # Before saving, the page says how many members the change would have moved, and that they keep
    # theirs.
    preview = admin_post("/admin/settings", {"section": "cohorts", **cutoffs})
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    assert "1 member" in page and "keep" in page
    db.session.expire_all()
    assert (
        program_settings(db.session.get(type(us), us.id)).cutoffs.legacy_until.isoformat()
        == "2025-03-31"
        or cutoffs["legacy_until"] == "2025-03-31"
    )

    saved = admin_post("/admin/settings", {"section": "cohorts", **cutoffs, "confirm": "1"})
    assert saved.status_code == 303
    db.session.expire_all()
    shop = db.session.get(type(us), us.id)
    assert program_settings(shop).cutoffs.legacy_until.isoformat() == cutoffs["legacy_until"]
    kept = member("kept@example.com")
    assert kept.cohort == cohort and cohort_of(kept, program_settings(shop).cutoffs) == cohort

    # A member who registers (is imported) after the change with the same day gets the new cutoffs.
    import_row(
        {
            "email": "new@example.com",
            "registered_at": registered.isoformat(),
            "shop": us.domain,
            "points": "0",
        }
    )
    db.session.commit()
    assert member("new@example.com").cohort == would_be


def test_an_activation_without_a_store_is_on_utc_and_the_default_cutoffs(app) -> None:  # type: ignore[no-untyped-def]
    found = get_or_create_member("plain@example.com")
    assert found is not None
    activate(found, datetime(2025, 3, 31, 23, 30, tzinfo=ZoneInfo("UTC")), "test")
    assert (found.registered_on, found.cohort) == (date(2025, 3, 31), "legacy")
