"""Stores and delivery countries (POLICY.md section 1)."""

from zoneinfo import ZoneInfo

import pytest

from plugin.program.regions import (
    EU_COUNTRIES,
    STORES,
    Region,
    free_replacement_shipping,
    is_eu,
    normalize_country,
    standard_warranty_months,
    store_for_country,
    store_of_region,
)


@pytest.mark.parametrize(
    ("region", "domain", "currency", "locale", "country"),
    [
        pytest.param(
            Region.US, "tesmart.com", "USD", "en", "US", id="tesmart.com sells in USD, English"
        ),
        pytest.param(
            Region.EU, "tesmart.de", "EUR", "de", "DE", id="tesmart.de sells in EUR, German"
        ),
        pytest.param(
            Region.JP, "tesmart.jp", "JPY", "ja", "JP", id="tesmart.jp sells in JPY, Japanese"
        ),
        pytest.param(
            Region.KR, "tesmart.co.kr", "KRW", "ko", "KR", id="tesmart.co.kr sells in KRW, Korean"
        ),
    ],
)
def test_the_four_stores(region, domain, currency, locale, country):
    store = STORES[region]
    assert (store.domain, store.currency, store.locale, store.country) == (
        domain,
        currency,
        locale,
        country,
    )


@pytest.mark.parametrize(
    ("region", "zone"),
    [
        pytest.param("us", "America/New_York", id="tesmart.com keeps New York time"),
        pytest.param("eu", "Europe/Berlin", id="tesmart.de keeps Berlin time"),
        pytest.param("jp", "Asia/Tokyo", id="tesmart.jp keeps Tokyo time"),
        pytest.param("kr", "Asia/Seoul", id="tesmart.co.kr keeps Seoul time"),
    ],
)
def test_a_region_code_names_its_store_and_its_zone(region, zone):
    store = store_of_region(region)
    assert store is STORES[Region(region)]
    assert store.default_zone == zone
    assert ZoneInfo(store.default_zone).key == zone


@pytest.mark.parametrize("text", ["", "US", "uk", "de", "tesmart.com"])
def test_any_other_text_is_no_region(text):
    assert store_of_region(text) is None


def test_the_eu_has_27_member_states():
    assert len(EU_COUNTRIES) == 27
    assert {"DE", "FR", "IE", "GR", "HR", "CY"} <= EU_COUNTRIES
    assert not {"GB", "CH", "NO", "IS", "TR"} & EU_COUNTRIES


@pytest.mark.parametrize(
    ("country", "months"),
    [
        pytest.param("DE", 24, id="Germany: 2 years"),
        pytest.param("FR", 24, id="France (EU): 2 years"),
        pytest.param("GR", 24, id="Greece (EU): 2 years"),
        pytest.param("EL", 24, id="Greece written EL: 2 years"),
        pytest.param(" de ", 24, id="lower case with spaces is still Germany"),
        pytest.param("GB", 12, id="UK: 1 year"),
        pytest.param("UK", 12, id="UK written UK: 1 year"),
        pytest.param("US", 12, id="US: 1 year"),
        pytest.param("JP", 12, id="Japan: 1 year"),
        pytest.param("KR", 12, id="Korea: 1 year"),
        pytest.param("CH", 12, id="Switzerland (not EU): 1 year"),
        pytest.param(None, 12, id="unknown country: 1 year"),
        pytest.param("", 12, id="empty country: 1 year"),
    ],
)
def test_standard_warranty_months_by_delivery_country(country, months):
    assert standard_warranty_months(country) == months


@pytest.mark.parametrize(
    ("country", "free"),
    [
        pytest.param("US", True, id="US ships free"),
        pytest.param("DE", True, id="Germany ships free"),
        pytest.param("PL", True, id="Poland (EU) ships free"),
        pytest.param("JP", True, id="Japan ships free"),
        pytest.param("CA", True, id="Canada ships free"),
        pytest.param("GB", True, id="UK ships free"),
        pytest.param("UK", True, id="UK written UK ships free"),
        pytest.param("KR", True, id="Korea ships free"),
        pytest.param("AU", False, id="Australia pays international shipping"),
        pytest.param("CH", False, id="Switzerland pays international shipping"),
        pytest.param("BR", False, id="Brazil pays international shipping"),
        pytest.param(None, False, id="unknown country pays international shipping"),
    ],
)
def test_free_replacement_shipping(country, free):
    assert free_replacement_shipping(country) is free


@pytest.mark.parametrize(
    ("country", "expected"),
    [
        pytest.param("DE", True, id="DE is EU"),
        pytest.param("at", True, id="at is EU"),
        pytest.param("GB", False, id="GB is not EU"),
        pytest.param("US", False, id="US is not EU"),
        pytest.param(None, False, id="None is not EU"),
        pytest.param("ZZ", False, id="an unknown code is not EU"),
    ],
)
def test_is_eu(country, expected):
    assert is_eu(country) is expected


@pytest.mark.parametrize(
    ("country", "region"),
    [
        pytest.param("US", Region.US, id="US → tesmart.com"),
        pytest.param("CA", Region.US, id="Canada → tesmart.com"),
        pytest.param("GB", Region.US, id="UK → tesmart.com"),
        pytest.param("AU", Region.US, id="a country without a store → tesmart.com"),
        pytest.param(None, Region.US, id="unknown → tesmart.com"),
        pytest.param("FR", Region.EU, id="France → tesmart.de"),
        pytest.param("JP", Region.JP, id="Japan → tesmart.jp"),
        pytest.param("KR", Region.KR, id="Korea → tesmart.co.kr"),
    ],
)
def test_store_for_country(country, region):
    assert store_for_country(country).region is region


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        pytest.param("gb", "GB", id="upper-cases"),
        pytest.param("UK", "GB", id="UK is GB"),
        pytest.param("  ", None, id="blank is none"),
        pytest.param(None, None, id="None stays None"),
    ],
)
def test_normalize_country(raw, code):
    assert normalize_country(raw) == code
