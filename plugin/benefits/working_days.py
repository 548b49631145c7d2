"""Working days of a store (POLICY.md 1 and 6): Monday to Friday, without the public holidays of
the store's country, from the maintained ``holidays`` package (never a hand-written list)."""

from __future__ import annotations

import functools
from datetime import date

import holidays

from plugin.models import Shop

# The country whose public holidays a store keeps: the store's own (tesmart.de for the EU).
REGION_COUNTRY: dict[str, str] = {"us": "US", "eu": "DE", "jp": "JP", "kr": "KR"}


@functools.lru_cache(maxsize=64)
def _country_holidays(country: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, years=year).keys())


def public_holidays(shop: Shop, around: date) -> frozenset[date]:
    """The store country's public holidays in the year of ``around`` and the next (a count of
    working days that starts late in December runs into January)."""
    country = REGION_COUNTRY.get(shop.region or "")
    if country is None:
        return frozenset()
    return _country_holidays(country, around.year) | _country_holidays(country, around.year + 1)
