"""The four TESmart stores and what a delivery country means for the rules (POLICY.md section 1).

Country codes are ISO 3166-1 alpha-2 in upper case, as Shopify sends them. An unknown or missing
country is treated as outside the EU and outside the free-shipping list: the customer gets the
1-year statutory warranty and pays international shipping, never more than the policy promises.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Region(StrEnum):
    US = "us"
    EU = "eu"
    JP = "jp"
    KR = "kr"


@dataclass(frozen=True)
class Store:
    region: Region
    domain: str
    currency: str
    locale: str
    country: str  # the shop's own country
    default_zone: str  # the store's IANA zone until Shopify reports the shop's own (section 1)


# The one table of the stores: a shop installed for a region takes its currency, locale and zone
# from here.
STORES: dict[Region, Store] = {
    Region.US: Store(Region.US, "tesmart.com", "USD", "en", "US", "America/New_York"),
    Region.EU: Store(Region.EU, "tesmart.de", "EUR", "de", "DE", "Europe/Berlin"),
    Region.JP: Store(Region.JP, "tesmart.jp", "JPY", "ja", "JP", "Asia/Tokyo"),
    Region.KR: Store(Region.KR, "tesmart.co.kr", "KRW", "ko", "KR", "Asia/Seoul"),
}


def store_of_region(region: str) -> Store | None:
    """The store of a region's code (``"us"``, ``"eu"``, ...), or None for any other text."""
    try:
        return STORES[Region(region)]
    except ValueError:
        return None


EU_COUNTRIES: frozenset[str] = frozenset(
    {
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    }
)

# POLICY.md section 1: free shipping on warranty replacements by delivery country.
FREE_SHIPPING_COUNTRIES: frozenset[str] = EU_COUNTRIES | {"US", "JP", "CA", "GB", "KR"}

# Codes people write that ISO spells differently: the EU's own "EL" for Greece, "UK" for GB.
_ALIASES = {"UK": "GB", "EL": "GR"}

EU_STATUTORY_WARRANTY_MONTHS = 24
OTHER_STATUTORY_WARRANTY_MONTHS = 12


def normalize_country(country: str | None) -> str | None:
    """Upper-case ISO alpha-2 code, or None when there is none."""
    if country is None:
        return None
    code = country.strip().upper()
    if not code:
        return None
    return _ALIASES.get(code, code)


def is_eu(country: str | None) -> bool:
    return normalize_country(country) in EU_COUNTRIES


def standard_warranty_months(delivery_country: str | None) -> int:
    """2 years for EU deliveries (Germany included), 1 year elsewhere, UK included (section 1)."""
    if is_eu(delivery_country):
        return EU_STATUTORY_WARRANTY_MONTHS
    return OTHER_STATUTORY_WARRANTY_MONTHS


def free_replacement_shipping(country: str | None) -> bool:
    return normalize_country(country) in FREE_SHIPPING_COUNTRIES


def store_for_country(country: str | None) -> Store:
    """The store that serves a customer: tesmart.com for US, CA, UK and every country without its
    own store (POLICY.md section 1)."""
    code = normalize_country(country)
    if code in EU_COUNTRIES:
        return STORES[Region.EU]
    if code == "JP":
        return STORES[Region.JP]
    if code == "KR":
        return STORES[Region.KR]
    return STORES[Region.US]
