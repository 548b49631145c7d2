"""The one source of "now", and the store's own calendar day (POLICY.md section 1).

Every "now" in plugin/ and webhooks/ comes from `now()`. Tests freeze or move it with
time-machine, which patches the standard library's clocks underneath, so nothing here needs a
test hook of its own (the suite can travel as a whole: ``TESMART_TEST_NOW``, tests/conftest.py).
A policy day is the calendar day in the store's IANA time zone: a timestamp with an offset is
converted to that zone first, and a date never depends on when, or in which order, webhooks arrive.
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from plugin.program.regions import STORES

# The app's sleep, injectable: a test puts its own in ``app.extensions[SLEEP_EXTENSION]`` so that
# retries and rate-limit waits (the Admin API client's) run in no time and can be asserted.
SLEEP_EXTENSION = "tesmart_sleep"
# And the monotonic seconds those waits are measured in (the rate-limit bucket's restore, the fake
# Admin API's own bucket): a test's sleep moves that clock on by what it would have slept.
MONOTONIC_EXTENSION = "tesmart_monotonic"

# POLICY.md section 1: the zone of each region until Shopify tells us the shop's own.
REGION_DEFAULT_ZONES: dict[str, str] = {
    region.value: store.default_zone for region, store in STORES.items()
}


def now() -> datetime:
    """The current instant, timezone-aware, in UTC."""
    return datetime.now(UTC)


def zone(name: str | None, region: str | None = None) -> ZoneInfo:
    """The store's zone: its IANA name when known and valid, else its region's default."""
    for candidate in (name, REGION_DEFAULT_ZONES.get(region or ""), "UTC"):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    raise AssertionError("UTC is always a zone")


def shop_zone(shop: Any) -> ZoneInfo:
    """The zone of a shop (anything with ``timezone`` and ``region``)."""
    return zone(getattr(shop, "timezone", None), getattr(shop, "region", None))


def local_day(instant: datetime, tz: ZoneInfo) -> date:
    """The calendar day of ``instant`` in the store's zone (a naive instant is taken as UTC)."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(tz).date()


def today(tz: ZoneInfo) -> date:
    """Today in the store's zone."""
    return local_day(now(), tz)


def start_of_day(day: date, tz: ZoneInfo) -> datetime:
    """The first instant (UTC) of ``day`` in the store's zone."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def sleeper() -> Callable[[float], None]:
    """The sleep to wait with: the app's injected one when there is one, else ``time.sleep``."""
    injected: Callable[[float], None] | None = _injected(SLEEP_EXTENSION)
    return _time.sleep if injected is None else injected


def monotonic_clock(app: Any = None) -> Callable[[], float]:
    """The monotonic seconds to measure waits in: the app's (``app`` or the current one) injected
    clock when there is one (it moves with the injected sleep), else ``time.monotonic``."""
    injected: Callable[[], float] | None = _injected(MONOTONIC_EXTENSION, app)
    return _time.monotonic if injected is None else injected


def _injected(name: str, app: Any = None) -> Any:
    from flask import current_app, has_app_context

    if app is None and has_app_context():
        app = current_app
    return None if app is None else app.extensions.get(name)
