"""Standard and extended warranty, and the one replacement (POLICY.md section 4)."""

import dataclasses
from datetime import date

import pytest

from plugin.program.benefits.warranty import (
    RegisteredDevice,
    ReplacementReason,
    extended_warranty_end,
    replacement_available,
    replacement_cover_end,
    standard_warranty_end,
)
from plugin.program.cohorts import Cohort
from plugin.program.policies import POLICIES

LEGACY, APRIL, NOVEMBER = Cohort.LEGACY, Cohort.APRIL_2025, Cohort.NOVEMBER_2025
PURCHASED = date(2024, 5, 10)
US_STANDARD_END = date(2025, 5, 10)
EU_STANDARD_END = date(2026, 5, 10)
EXTENDED_END = date(2027, 5, 10)


@pytest.mark.parametrize(
    ("purchased_on", "country", "end"),
    [
        pytest.param(PURCHASED, "DE", EU_STANDARD_END, id="Germany: 2 years"),
        pytest.param(PURCHASED, "FR", EU_STANDARD_END, id="France: 2 years"),
        pytest.param(PURCHASED, "GB", US_STANDARD_END, id="UK: 1 year"),
        pytest.param(PURCHASED, "US", US_STANDARD_END, id="US: 1 year"),
        pytest.param(PURCHASED, "JP", US_STANDARD_END, id="Japan: 1 year"),
        pytest.param(PURCHASED, None, US_STANDARD_END, id="unknown country: 1 year"),
        pytest.param(
            date(2024, 2, 29), "US", date(2025, 2, 28), id="bought on leap day: ends Feb 28"
        ),
    ],
)
def test_standard_warranty_end(purchased_on, country, end):
    assert standard_warranty_end(purchased_on, country) == end


@pytest.mark.parametrize(
    ("cohort", "country", "category", "activated_on", "end"),
    [
        pytest.param(
            NOVEMBER,
            "US",
            "kvm_switch",
            date(2025, 5, 9),
            EXTENDED_END,
            id="activated the day before the standard warranty ends → 3 years",
        ),
        pytest.param(
            NOVEMBER,
            "US",
            "kvm_switch",
            date(2025, 5, 10),
            EXTENDED_END,
            id="activated on its last day → 3 years",
        ),
        pytest.param(
            NOVEMBER,
            "US",
            "kvm_switch",
            date(2025, 5, 11),
            None,
            id="activated the day after → no extension",
        ),
        pytest.param(
            NOVEMBER,
            "US",
            "kvm_switch",
            date(2023, 1, 1),
            EXTENDED_END,
            id="activated before the purchase → 3 years",
        ),
        pytest.param(
            NOVEMBER,
            "DE",
            "kvm_switch",
            date(2026, 5, 10),
            EXTENDED_END,
            id="Germany, activated on the last day of 2 years → 3 years",
        ),
        pytest.param(
            NOVEMBER,
            "DE",
            "kvm_switch",
            date(2026, 5, 11),
            None,
            id="Germany, activated the day after 2 years → none",
        ),
        pytest.param(
            NOVEMBER,
            "DE",
            "kvm_switch",
            date(2025, 6, 1),
            EXTENDED_END,
            id="Germany, activated in the second year → 3 years",
        ),
        pytest.param(
            NOVEMBER,
            "GB",
            "kvm_switch",
            date(2025, 6, 1),
            None,
            id="UK, activated in the second year → none (1 year statutory)",
        ),
        pytest.param(
            NOVEMBER,
            "US",
            "kvm_extender",
            PURCHASED,
            EXTENDED_END,
            id="2025-11 covers KVM extenders",
        ),
        pytest.param(
            NOVEMBER, "US", "matrix", PURCHASED, EXTENDED_END, id="2025-11 covers matrices"
        ),
        pytest.param(
            NOVEMBER, "US", "accessory", PURCHASED, None, id="2025-11 never covers accessories"
        ),
        pytest.param(
            NOVEMBER, "US", "other", PURCHASED, None, id="2025-11 never covers other peripherals"
        ),
        pytest.param(
            NOVEMBER, "US", "toaster", PURCHASED, None, id="an unmapped category is not covered"
        ),
        pytest.param(
            LEGACY, "US", "kvm_switch", PURCHASED, EXTENDED_END, id="legacy covers KVM switches"
        ),
        pytest.param(
            LEGACY, "US", "kvm_extender", PURCHASED, None, id="legacy does not cover extenders"
        ),
        pytest.param(LEGACY, "US", "matrix", PURCHASED, None, id="legacy does not cover matrices"),
        pytest.param(
            APRIL, "US", "kvm_extender", PURCHASED, None, id="2025-04 does not cover extenders"
        ),
        pytest.param(
            APRIL, "US", "kvm_switch", PURCHASED, EXTENDED_END, id="2025-04 covers KVM switches"
        ),
        pytest.param(
            LEGACY, "DE", "kvm_switch", PURCHASED, EXTENDED_END, id="legacy in Germany → 3 years"
        ),
        pytest.param(
            LEGACY, "JP", "kvm_switch", PURCHASED, EXTENDED_END, id="legacy in Japan → 3 years"
        ),
        pytest.param(LEGACY, "CA", "kvm_switch", PURCHASED, None, id="legacy in Canada → none"),
        pytest.param(LEGACY, "GB", "kvm_switch", PURCHASED, None, id="legacy in the UK → none"),
        pytest.param(LEGACY, "KR", "kvm_switch", PURCHASED, None, id="legacy in Korea → none"),
        pytest.param(
            APRIL, "CA", "kvm_switch", PURCHASED, EXTENDED_END, id="2025-04 in Canada → 3 years"
        ),
        pytest.param(
            NOVEMBER, "KR", "kvm_switch", PURCHASED, EXTENDED_END, id="2025-11 in Korea → 3 years"
        ),
        pytest.param(None, "US", "kvm_switch", PURCHASED, None, id="no activated ID → none"),
        pytest.param(NOVEMBER, "US", "kvm_switch", None, None, id="never activated → none"),
    ],
)
def test_extended_warranty_end(cohort, country, category, activated_on, end):
    assert extended_warranty_end(PURCHASED, country, category, cohort, activated_on) == end


def test_no_extension_when_the_statutory_warranty_already_lasts_as_long(monkeypatch):
    two_years = dataclasses.replace(POLICIES[NOVEMBER], extended_warranty_years=2)
    monkeypatch.setitem(POLICIES, NOVEMBER, two_years)
    assert extended_warranty_end(PURCHASED, "DE", "kvm_switch", NOVEMBER, PURCHASED) is None
    assert extended_warranty_end(PURCHASED, "US", "kvm_switch", NOVEMBER, PURCHASED) == date(
        2026, 5, 10
    )


def device(**overrides):
    facts = {
        "purchased_on": PURCHASED,
        "delivery_country": "US",
        "category": "kvm_switch",
        "cohort": NOVEMBER,
        "activated_on": PURCHASED,
    }
    facts.update(overrides)
    return RegisteredDevice(**facts)


R = ReplacementReason


@pytest.mark.parametrize(
    ("facts", "today", "available", "reason"),
    [
        pytest.param(
            {},
            date(2025, 5, 10),
            False,
            R.WITHIN_STANDARD_WARRANTY,
            id="last day of the standard warranty → still standard cover",
        ),
        pytest.param(
            {},
            date(2025, 5, 11),
            True,
            R.AVAILABLE,
            id="first day of the extended period → replacement",
        ),
        pytest.param(
            {},
            date(2027, 5, 10),
            True,
            R.AVAILABLE,
            id="last day of the extended warranty → replacement",
        ),
        pytest.param(
            {},
            date(2027, 5, 11),
            False,
            R.EXTENDED_WARRANTY_ENDED,
            id="day after the extended warranty → ended",
        ),
        pytest.param(
            {"delivery_country": "DE"},
            date(2026, 5, 10),
            False,
            R.WITHIN_STANDARD_WARRANTY,
            id="Germany, last day of 2 years → standard cover",
        ),
        pytest.param(
            {"delivery_country": "DE"},
            date(2026, 5, 11),
            True,
            R.AVAILABLE,
            id="Germany, day after 2 years → replacement",
        ),
        pytest.param(
            {"warranty_replacement_used": True},
            date(2026, 1, 1),
            False,
            R.ALREADY_REPLACED,
            id="one replacement per product",
        ),
        pytest.param(
            {"cohort": LEGACY, "traded_in": True},
            date(2026, 1, 1),
            False,
            R.DEVICE_TRADED_IN,
            id="legacy: a traded-in product gets no exchange",
        ),
        pytest.param(
            {"cohort": APRIL, "traded_in": True},
            date(2026, 1, 1),
            True,
            R.AVAILABLE,
            id="2025-04: trade-in keeps the device, exchange still possible",
        ),
        pytest.param(
            {"traded_in": True},
            date(2026, 1, 1),
            False,
            R.DEVICE_HANDED_IN,
            id="2025-11: a device handed in for recovery cannot be exchanged",
        ),
        pytest.param(
            {"cohort": None},
            date(2026, 1, 1),
            False,
            R.NO_ACTIVATED_ID,
            id="no activated ID → no replacement",
        ),
        pytest.param(
            {"activated_on": None},
            date(2026, 1, 1),
            False,
            R.NO_ACTIVATED_ID,
            id="not activated → no replacement",
        ),
        pytest.param(
            {"category": "accessory"},
            date(2026, 1, 1),
            False,
            R.CATEGORY_NOT_COVERED,
            id="accessory → not covered",
        ),
        pytest.param(
            {"cohort": LEGACY, "delivery_country": "CA"},
            date(2026, 1, 1),
            False,
            R.REGION_NOT_ELIGIBLE,
            id="legacy in Canada → region not eligible",
        ),
        pytest.param(
            {"activated_on": date(2025, 5, 11)},
            date(2026, 1, 1),
            False,
            R.ACTIVATED_AFTER_STANDARD_WARRANTY,
            id="activated after the standard warranty → no extension",
        ),
    ],
)
def test_replacement_available(facts, today, available, reason):
    answer = replacement_available(device(**facts), today)
    assert answer == (available, reason)
    assert answer.available is available


@pytest.mark.parametrize(
    ("exchanged_on", "original_standard_end", "cover_end"),
    [
        pytest.param(
            date(2026, 1, 10),
            US_STANDARD_END,
            date(2026, 4, 10),
            id="extended period: 90 days from the exchange",
        ),
        pytest.param(
            date(2025, 1, 10),
            US_STANDARD_END,
            US_STANDARD_END,
            id="statutory warranty had more left → keeps it",
        ),
        pytest.param(
            date(2025, 2, 9),
            US_STANDARD_END,
            US_STANDARD_END,
            id="90 days ending on the statutory end → same day",
        ),
        pytest.param(
            date(2025, 2, 10),
            US_STANDARD_END,
            date(2025, 5, 11),
            id="90 days one day past the statutory end → 90 days",
        ),
    ],
)
def test_replacement_cover_end(exchanged_on, original_standard_end, cover_end):
    assert replacement_cover_end(exchanged_on, original_standard_end) == cover_end
