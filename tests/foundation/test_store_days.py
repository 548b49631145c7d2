"""Every policy date is the store's own calendar day (POLICY.md 1), table-driven.

For each kind of date the table sets the moment at 23:30 and at 00:30 local time on a boundary
day (the last day of a month, relative to now), in each of the four stores' zones, and, where
webhooks bring the date, in each order of arrival. The day is the same whichever webhook comes
first, and it is the store's day, never UTC's.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from plugin import clock
from plugin.benefits import returns
from plugin.benefits.devices import store_today
from plugin.benefits.working_days import public_holidays
from plugin.extensions import db
from plugin.models import Device, Order, Shop
from plugin.points import campaign_admin, expiry
from plugin.program.calendar import add_months
from plugin.rewards import referrals
from tests import payloads
from tests.conftest import SHOP_DOMAINS

ZONES = {"us": "America/New_York", "eu": "Europe/Berlin", "jp": "Asia/Tokyo", "kr": "Asia/Seoul"}
CURRENCY = {
    "us": ("USD", "US", "129.00"),
    "eu": ("EUR", "DE", "119.00"),
    "jp": ("JPY", "JP", "16800"),
    "kr": ("KRW", "KR", "169000"),
}
REGIONS = tuple(ZONES)


def month_end(months_back: int) -> date:
    """The last day of a month ``months_back`` months before this one (a boundary day)."""
    first = clock.today(clock.zone("UTC")).replace(day=1)
    return add_months(first, -months_back + 1) - timedelta(days=1)


def local(region: str, day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(ZONES[region]))


# (label, hours:minutes, the local day it must count on, relative to the boundary day)
EDGES = [("23:30 on the boundary day", (23, 30), 0), ("00:30 on the day after", (0, 30), 1)]


CASES = [
    pytest.param(region, edge, id=f"{region}-{label}")
    for region in REGIONS
    for label, *edge in EDGES
]
ARRIVALS = [
    pytest.param(("orders/paid", "orders/fulfilled"), id="paid-first"),
    pytest.param(("orders/fulfilled", "orders/paid"), id="fulfilled-first"),
]


def the_shop(region: str) -> Shop:
    return db.session.execute(select(Shop).where(Shop.domain == SHOP_DOMAINS[region])).scalar_one()


def kvm_order(deliver: Any, region: str, placed: datetime, delivered: datetime) -> dict[str, Any]:
    currency, country, price = CURRENCY[region]
    product = payloads.product(title="TESmart 4-port KVM", product_type="KVM Switch")
    assert deliver("products/create", product, shop=region).status_code == 200
    order = payloads.order(
        lines=[payloads.line_item(product["id"], price, currency=currency)],
        customer_block=payloads.customer(email=f"buyer.{region}@example.com"),
        currency=currency,
        country=country,
        created_at=placed.isoformat(),
    )
    order["fulfillments"] = [
        {
            "id": payloads.next_id(),
            "created_at": placed.isoformat(),
            "status": "success",
            "shipment_status": "delivered",
            "updated_at": delivered.isoformat(),
        }
    ]
    return order


def stored_order(region: str, order: dict[str, Any]) -> Order:
    db.session.expire_all()
    return db.session.execute(
        select(Order).where(
            Order.shop_id == the_shop(region).id, Order.order_id == str(order["id"])
        )
    ).scalar_one()


@pytest.mark.parametrize("arrival", ARRIVALS)
@pytest.mark.parametrize(("region", "edge"), CASES)
def test_the_purchase_date_is_the_store_day_whichever_webhook_comes_first(
    shops, deliver, region, edge, arrival
) -> None:  # type: ignore[no-untyped-def]
    (hour, minute), shift = edge
    boundary = month_end(3)
    placed = local(region, boundary + timedelta(days=shift), hour, minute)
    order = kvm_order(deliver, region, placed, placed + timedelta(days=3))
    for topic in arrival:
        assert deliver(topic, order, shop=region).status_code == 200
    db.session.expire_all()
    [device] = db.session.execute(
        select(Device).where(Device.order_id == str(order["id"]))
    ).scalars()
    assert device.purchased_on == boundary + timedelta(days=shift)


@pytest.mark.parametrize("arrival", ARRIVALS)
@pytest.mark.parametrize(("region", "edge"), CASES)
def test_the_delivery_day_that_starts_the_return_window_is_the_store_day(
    shops, deliver, region, edge, arrival
) -> None:  # type: ignore[no-untyped-def]
    (hour, minute), shift = edge
    boundary = month_end(1)
    delivered = local(region, boundary + timedelta(days=shift), hour, minute)
    order = kvm_order(deliver, region, delivered - timedelta(days=4), delivered)
    for topic in arrival:
        assert deliver(topic, order, shop=region).status_code == 200
    shop = the_shop(region)
    assert returns.delivered_on(stored_order(region, order), shop) == boundary + timedelta(
        days=shift
    )


def test_the_8am_tokyo_order_has_its_tokyo_purchase_date_in_either_arrival_order(
    shops, deliver
) -> None:  # type: ignore[no-untyped-def]
    day = month_end(2) - timedelta(days=10)
    placed = local("jp", day, 8, 0)  # 23:00 UTC the day before
    for arrival in (("orders/fulfilled", "orders/paid"), ("orders/paid", "orders/fulfilled")):
        order = kvm_order(deliver, "jp", placed, placed + timedelta(days=2))
        for topic in arrival:
            assert deliver(topic, order, shop="jp").status_code == 200
        db.session.expire_all()
        [device] = db.session.execute(
            select(Device).where(Device.order_id == str(order["id"]))
        ).scalars()
        assert device.purchased_on == day, arrival


@pytest.mark.parametrize(("region", "edge"), CASES)
def test_the_referral_cap_month_is_the_store_month(shops, region, edge) -> None:  # type: ignore[no-untyped-def]
    (hour, minute), shift = edge
    boundary = month_end(1)
    at = local(region, boundary + timedelta(days=shift), hour, minute)
    start, end = referrals.month_bounds(the_shop(region), at)
    month = (boundary + timedelta(days=shift)).replace(day=1)
    assert start == local(region, month, 0, 0).astimezone(UTC)
    assert end == local(region, add_months(month, 1), 0, 0).astimezone(UTC)
    assert start <= at < end


@pytest.mark.parametrize(("region", "edge"), CASES)
def test_the_expiry_month_and_every_policy_today_are_the_store_day(shops, region, edge) -> None:  # type: ignore[no-untyped-def]
    (hour, minute), shift = edge
    boundary = month_end(0) if clock.today(clock.zone("UTC")).day > 1 else month_end(1)
    at = local(region, boundary + timedelta(days=shift), hour, minute)
    shop = the_shop(region)
    assert expiry.shop_today(shop, at) == boundary + timedelta(days=shift)
    # Return windows, trade-in ages, warranty ends, CTRL F due dates and the refund clock all count
    # from the store's today.
    with time_machine.travel(at, tick=False):
        assert store_today(shop) == boundary + timedelta(days=shift)


@pytest.mark.parametrize(("region", "edge"), CASES)
def test_a_campaign_starts_and_ends_on_the_store_clock_as_the_admin_enters_it(
    shops, region, edge
) -> None:  # type: ignore[no-untyped-def]
    (hour, minute), shift = edge
    boundary = month_end(-1)  # next month's boundary: a campaign the admin schedules ahead
    shop = the_shop(region)
    start_day = boundary + timedelta(days=1)
    values = campaign_admin.parse(
        shop,
        {
            "kind": "points_multiplier",
            "title": "Member Week",
            "multiplier": "2",
            "starts_at": f"{start_day.isoformat()}T00:00",
            "ends_at": f"{(start_day + timedelta(days=7)).isoformat()}T00:00",
        },
    )
    assert values["starts_at"] == local(region, start_day, 0, 0).astimezone(UTC)
    at = local(region, boundary + timedelta(days=shift), hour, minute)
    assert (values["starts_at"] <= at) is (shift == 1)


def test_each_store_keeps_the_holidays_of_its_own_country(shops) -> None:  # type: ignore[no-untyped-def]
    year = clock.today(clock.zone("UTC")).year
    assert date(year, 7, 4) in public_holidays(the_shop("us"), date(year, 1, 1))  # Independence Day
    assert date(year, 10, 3) in public_holidays(
        the_shop("eu"), date(year, 1, 1)
    )  # German Unity Day
    assert date(year, 5, 3) in public_holidays(the_shop("jp"), date(year, 1, 1))  # Constitution Day
    assert date(year, 10, 3) in public_holidays(
        the_shop("kr"), date(year, 1, 1)
    )  # National Foundation Day
    assert date(year, 7, 4) not in public_holidays(the_shop("eu"), date(year, 1, 1))


@pytest.mark.parametrize(("region", "edge"), CASES)
def test_the_shops_zone_comes_from_shopify_with_the_region_default_until_known(
    shops, region, edge
) -> None:  # type: ignore[no-untyped-def]
    from plugin.shops.registry import set_timezone

    shop = the_shop(region)
    assert clock.shop_zone(shop).key == ZONES[region]
    assert set_timezone(shop, "Not/AZone") is False and shop.timezone == ZONES[region]
    assert set_timezone(shop, "Pacific/Honolulu") is True
    (hour, minute), shift = edge
    boundary = month_end(1)
    at = local(region, boundary + timedelta(days=shift), hour, minute)
    assert (
        clock.local_day(at, clock.shop_zone(shop))
        == at.astimezone(ZoneInfo("Pacific/Honolulu")).date()
    )
