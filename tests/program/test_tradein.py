"""Trade-in and recycling quotes, one table per policy version (POLICY.md section 5)."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plugin.program.benefits.tradein import (
    QUOTE_VALID_DAYS,
    TradeInCondition,
    TradeInDeductions,
    TradeInKind,
    TradeInQuote,
    TradeInReason,
    quote_applicable,
    quote_expired,
    quote_trade_in,
    recovery_shipment_overdue,
)
from plugin.program.calendar import add_months
from plugin.program.cohorts import Cohort, CohortCutoffs
from plugin.program.money import UnknownCurrency

LEGACY, APRIL, NOVEMBER = Cohort.LEGACY, Cohort.APRIL_2025, Cohort.NOVEMBER_2025
K, R = TradeInKind, TradeInReason

MINT = TradeInCondition(
    cosmetic_wear=False, accessories_complete=True, original_packaging=True, working=True
)
WORN_NO_BOX = TradeInCondition(
    cosmetic_wear=True, accessories_complete=True, original_packaging=False, working=True
)
WORN_INCOMPLETE_NO_BOX = TradeInCondition(
    cosmetic_wear=True, accessories_complete=False, original_packaging=False, working=True
)
INCOMPLETE = TradeInCondition(
    cosmetic_wear=False, accessories_complete=False, original_packaging=True, working=True
)
WORN = TradeInCondition(
    cosmetic_wear=True, accessories_complete=True, original_packaging=True, working=True
)
DEAD = TradeInCondition(
    cosmetic_wear=False, accessories_complete=True, original_packaging=True, working=False
)
WRECKED = TradeInCondition(
    cosmetic_wear=True,
    accessories_complete=True,
    original_packaging=True,
    working=True,
    severely_damaged=True,
)

TODAY = date(2025, 11, 15)


def quote(**overrides):
    facts = {
        "cohort": NOVEMBER,
        "purchased_on": date(2022, 11, 15),
        "today": TODAY,
        "amount_paid": Decimal("129.00"),
        "currency": "USD",
        "category": "kvm_switch",
        "condition": MINT,
        "previous_trade_ins": 0,
        "warranty_replacement_used": False,
        "delivery_country": "US",
    }
    facts.update(overrides)
    return quote_trade_in(**facts)


def days_before(n):
    return TODAY - timedelta(days=n)


def months_before(n, plus_days=0):
    """The purchase date that makes ``TODAY`` exactly n months (and plus_days) after it."""
    return add_months(TODAY, -n) - timedelta(days=plus_days)


# 2025-11: recovery value of the amount actually paid, by age band and condition.
@pytest.mark.parametrize(
    ("facts", "percent", "value"),
    [
        pytest.param({"purchased_on": days_before(90)}, "50", "64.50", id="2025-11, day 90 → 50%"),
        pytest.param(
            {"purchased_on": months_before(36)},
            "50",
            "64.50",
            id="2025-11, 36 months to the day → 50%",
        ),
        pytest.param(
            {"purchased_on": months_before(36, plus_days=1)},
            "40",
            "51.60",
            id="2025-11, 36 months and 1 day → 40%",
        ),
        pytest.param(
            {"purchased_on": months_before(37)}, "40", "51.60", id="2025-11, 37 months → 40%"
        ),
        pytest.param(
            {"purchased_on": months_before(48)},
            "40",
            "51.60",
            id="2025-11, 48 months to the day → 40%",
        ),
        pytest.param(
            {"purchased_on": months_before(49)}, "30", "38.70", id="2025-11, 49 months → 30%"
        ),
        pytest.param(
            {"purchased_on": months_before(48, plus_days=1)},
            "30",
            "38.70",
            id="2025-11, 48 months and 1 day → 30%",
        ),
        pytest.param(
            {"purchased_on": months_before(60)},
            "30",
            "38.70",
            id="2025-11, 60 months to the day → 30%",
        ),
        pytest.param(
            {"purchased_on": date(2024, 2, 29), "today": date(2027, 2, 28)},
            "50",
            "64.50",
            id="2025-11, bought on leap day, 36 months end Feb 28 → 50%",
        ),
        pytest.param(
            {"purchased_on": date(2024, 2, 29), "today": date(2027, 3, 1)},
            "40",
            "51.60",
            id="2025-11, bought on leap day, Mar 1 three years on → 40%",
        ),
        pytest.param(
            {"purchased_on": date(2022, 8, 31), "today": date(2025, 8, 31)},
            "50",
            "64.50",
            id="2025-11, bought Aug 31, 36 months to the day → 50%",
        ),
        pytest.param(
            {"condition": WORN_NO_BOX},
            "50",
            "45.15",
            id="2025-11, wear and no packaging leave 70%: 129.00 → 64.50 → 45.15",
        ),
        pytest.param({"condition": WORN}, "50", "51.60", id="2025-11, visible wear −20%"),
        pytest.param(
            {"condition": INCOMPLETE},
            "50",
            "54.83",
            id="2025-11, missing accessories −15%, rounded half up",
        ),
        pytest.param(
            {"condition": WORN_INCOMPLETE_NO_BOX},
            "50",
            "35.48",
            id="2025-11, all three deductions −45%",
        ),
        pytest.param(
            {"category": "kvm_extender"}, "50", "64.50", id="2025-11, KVM extenders take part"
        ),
        pytest.param({"category": "matrix"}, "50", "64.50", id="2025-11, matrices take part"),
        pytest.param(
            {"delivery_country": "BR"}, "50", "64.50", id="2025-11, every region takes part"
        ),
        pytest.param(
            {"warranty_replacement_used": True},
            "50",
            "64.50",
            id="2025-11, a used warranty exchange does not matter",
        ),
        pytest.param(
            {"amount_paid": Decimal("89.99"), "currency": "EUR", "condition": WORN},
            "50",
            "36.00",
            id="2025-11, EUR: 89.99 → 45.00 → 36.00",
        ),
        pytest.param(
            {"amount_paid": Decimal("12345"), "currency": "JPY", "condition": WORN_NO_BOX},
            "50",
            "4321",
            id="2025-11, JPY rounds to whole yen: 12345 → 6173 → 4321",
        ),
        pytest.param(
            {
                "amount_paid": Decimal("123457"),
                "currency": "KRW",
                "condition": WORN_INCOMPLETE_NO_BOX,
            },
            "50",
            "33951",
            id="2025-11, KRW rounds to whole won: 123457 → 61729 → 33951",
        ),
    ],
)
def test_recovery_value_2025_11(facts, percent, value):
    q = quote(**facts)
    assert (q.eligible, q.kind, q.reason_code) == (True, K.RECOVERY_VALUE, R.RECOVERY_VALUE)
    assert q.percent == Decimal(percent)
    assert q.value == Decimal(value)
    assert str(q.value) == value  # quantized to the currency's minor unit, no more, no less
    assert q.cohort == "2025-11"


def test_recovery_quote_shows_its_working():
    q = quote(condition=WORN_NO_BOX)
    assert (q.base_value, q.deduction_percent) == (Decimal("64.50"), Decimal("30"))
    assert q.reason_params == {
        "percent": "50",
        "months": "36",
        "base_value": "64.50",
        "deduction_percent": "30",
        "value": "45.15",
        "currency": "USD",
    }


@pytest.mark.parametrize(
    ("facts", "eligible", "kind", "reason", "params"),
    [
        pytest.param(
            {"purchased_on": days_before(89)},
            False,
            K.NONE,
            R.TOO_EARLY,
            {"earliest": "2025-11-16"},
            id="2025-11, day 89 → too early, from day 90",
        ),
        pytest.param(
            {"purchased_on": TODAY + timedelta(days=3)},
            False,
            K.NONE,
            R.TOO_EARLY,
            {"earliest": "2026-02-16"},
            id="2025-11, a purchase dated in the future → too early",
        ),
        pytest.param(
            {"purchased_on": months_before(60, plus_days=1)},
            True,
            K.RECYCLE_ONLY,
            R.TOO_OLD,
            {"months": "60"},
            id="2025-11, 60 months and 1 day → free recycling only",
        ),
        pytest.param(
            {"purchased_on": months_before(61)},
            True,
            K.RECYCLE_ONLY,
            R.TOO_OLD,
            {"months": "60"},
            id="2025-11, 61 months → free recycling only",
        ),
        pytest.param(
            {"purchased_on": date(2012, 1, 1)},
            True,
            K.RECYCLE_ONLY,
            R.TOO_OLD,
            {"months": "60"},
            id="2025-11, a 13-year-old device → free recycling only",
        ),
        pytest.param(
            {"condition": DEAD},
            True,
            K.RECYCLE_ONLY,
            R.NOT_WORKING,
            {},
            id="2025-11, not working → free recycling, no value",
        ),
        pytest.param(
            {"condition": WRECKED},
            True,
            K.RECYCLE_ONLY,
            R.NOT_WORKING,
            {},
            id="2025-11, severely damaged → free recycling, no value",
        ),
        pytest.param(
            {"previous_trade_ins": 1},
            False,
            K.NONE,
            R.ALREADY_TRADED_IN,
            {},
            id="2025-11, a serial takes part once",
        ),
        pytest.param(
            {"category": "accessory"},
            False,
            K.NONE,
            R.CATEGORY_NOT_ELIGIBLE,
            {},
            id="2025-11, accessories → nothing",
        ),
        pytest.param(
            {"category": "other"},
            False,
            K.NONE,
            R.CATEGORY_NOT_ELIGIBLE,
            {},
            id="2025-11, other peripherals → nothing",
        ),
    ],
)
def test_no_recovery_value_2025_11(facts, eligible, kind, reason, params):
    q = quote(**facts)
    assert (q.eligible, q.kind, q.reason_code, q.reason_params) == (eligible, kind, reason, params)
    assert q.value is None
    assert q.percent is None


# legacy and 2025-04: a discount on a new device's original price, never a value.
@pytest.mark.parametrize(
    ("facts", "eligible", "kind", "percent", "reason", "params"),
    [
        pytest.param(
            {"cohort": LEGACY, "purchased_on": date(2024, 1, 31), "today": date(2024, 5, 31)},
            True,
            K.DISCOUNT_ON_NEW,
            "40",
            R.DISCOUNT_ON_NEW,
            {"percent": "40"},
            id="legacy, 4 months to the day → 40% off new",
        ),
        pytest.param(
            {"cohort": LEGACY, "purchased_on": date(2024, 1, 31), "today": date(2024, 5, 30)},
            False,
            K.NONE,
            None,
            R.TOO_EARLY,
            {"earliest": "2024-05-31"},
            id="legacy, a day short of 4 months → too early",
        ),
        pytest.param(
            {"cohort": LEGACY, "purchased_on": date(2023, 10, 31), "today": date(2024, 2, 29)},
            True,
            K.DISCOUNT_ON_NEW,
            "40",
            R.DISCOUNT_ON_NEW,
            {"percent": "40"},
            id="legacy, Oct 31 + 4 months ends on leap day → 40%",
        ),
        pytest.param(
            {"cohort": LEGACY, "purchased_on": date(2023, 10, 31), "today": date(2024, 2, 28)},
            False,
            K.NONE,
            None,
            R.TOO_EARLY,
            {"earliest": "2024-02-29"},
            id="legacy, Feb 28 before that leap day → too early",
        ),
        pytest.param(
            {"cohort": LEGACY, "purchased_on": date(2014, 1, 1)},
            True,
            K.DISCOUNT_ON_NEW,
            "40",
            R.DISCOUNT_ON_NEW,
            {"percent": "40"},
            id="legacy, no age limit → 40%",
        ),
        pytest.param(
            {"cohort": LEGACY, "condition": DEAD},
            True,
            K.DISCOUNT_ON_NEW,
            "40",
            R.DISCOUNT_ON_NEW,
            {"percent": "40"},
            id="legacy, the old device's condition does not matter",
        ),
        pytest.param(
            {"cohort": LEGACY, "previous_trade_ins": 1},
            False,
            K.NONE,
            None,
            R.ALREADY_TRADED_IN,
            {},
            id="legacy, once per device",
        ),
        pytest.param(
            {"cohort": LEGACY, "warranty_replacement_used": True},
            False,
            K.NONE,
            None,
            R.WARRANTY_EXCHANGE_USED,
            {},
            id="legacy, not after the warranty exchange",
        ),
        pytest.param(
            {"cohort": LEGACY, "delivery_country": "DE"},
            True,
            K.DISCOUNT_ON_NEW,
            "40",
            R.DISCOUNT_ON_NEW,
            {"percent": "40"},
            id="legacy, Germany (EU) → 40%",
        ),
        pytest.param(
            {"cohort": LEGACY, "delivery_country": "JP"},
            True,
            K.DISCOUNT_ON_NEW,
            "40",
            R.DISCOUNT_ON_NEW,
            {"percent": "40"},
            id="legacy, Japan → 40%",
        ),
        pytest.param(
            {"cohort": LEGACY, "delivery_country": "CA"},
            False,
            K.NONE,
            None,
            R.REGION_NOT_ELIGIBLE,
            {},
            id="legacy, Canada → not in the legacy regions",
        ),
        pytest.param(
            {"cohort": LEGACY, "delivery_country": "GB"},
            False,
            K.NONE,
            None,
            R.REGION_NOT_ELIGIBLE,
            {},
            id="legacy, UK → not in the legacy regions",
        ),
        pytest.param(
            {"cohort": LEGACY, "category": "kvm_extender"},
            False,
            K.NONE,
            None,
            R.CATEGORY_NOT_ELIGIBLE,
            {},
            id="legacy, KVM extender → nothing",
        ),
        pytest.param(
            {"cohort": APRIL, "purchased_on": date(2025, 4, 10), "today": date(2025, 8, 10)},
            True,
            K.DISCOUNT_ON_NEW,
            "30",
            R.DISCOUNT_ON_NEW,
            {"percent": "30"},
            id="2025-04, 4 months to the day → 30% off new",
        ),
        pytest.param(
            {"cohort": APRIL, "purchased_on": date(2025, 4, 10), "today": date(2025, 8, 9)},
            False,
            K.NONE,
            None,
            R.TOO_EARLY,
            {"earliest": "2025-08-10"},
            id="2025-04, a day short of 4 months → too early",
        ),
        pytest.param(
            {"cohort": APRIL, "previous_trade_ins": 5},
            True,
            K.DISCOUNT_ON_NEW,
            "30",
            R.DISCOUNT_ON_NEW,
            {"percent": "30"},
            id="2025-04, unlimited trade-ins",
        ),
        pytest.param(
            {"cohort": APRIL, "warranty_replacement_used": True},
            True,
            K.DISCOUNT_ON_NEW,
            "30",
            R.DISCOUNT_ON_NEW,
            {"percent": "30"},
            id="2025-04, a used warranty exchange does not matter",
        ),
        pytest.param(
            {"cohort": APRIL, "delivery_country": "CA"},
            True,
            K.DISCOUNT_ON_NEW,
            "30",
            R.DISCOUNT_ON_NEW,
            {"percent": "30"},
            id="2025-04, every region",
        ),
        pytest.param(
            {"cohort": APRIL, "category": "matrix"},
            False,
            K.NONE,
            None,
            R.CATEGORY_NOT_ELIGIBLE,
            {},
            id="2025-04, matrix → nothing",
        ),
        pytest.param(
            {"cohort": APRIL, "category": "accessory"},
            False,
            K.NONE,
            None,
            R.CATEGORY_NOT_ELIGIBLE,
            {},
            id="2025-04, accessory → nothing",
        ),
    ],
)
def test_member_discounts_legacy_and_2025_04(facts, eligible, kind, percent, reason, params):
    q = quote(**facts)
    assert (q.eligible, q.kind, q.reason_code, q.reason_params) == (eligible, kind, reason, params)
    assert q.percent == (Decimal(percent) if percent else None)
    assert q.value is None
    assert q.cohort == facts["cohort"].value


# No activated ID: judged by the version in force on the day of the request.
@pytest.mark.parametrize(
    ("facts", "eligible", "kind", "percent", "reason", "params", "version"),
    [
        pytest.param(
            {"today": date(2025, 10, 31), "purchased_on": date(2024, 10, 31)},
            True,
            K.DISCOUNT_ON_NEW,
            "10",
            R.DISCOUNT_WITHOUT_ID,
            {"percent": "10"},
            "2025-04",
            id="no ID, 2025-10-31, owned 1 year to the day → 10%",
        ),
        pytest.param(
            {"today": date(2025, 6, 30), "purchased_on": date(2024, 7, 1)},
            False,
            K.NONE,
            None,
            R.TOO_EARLY,
            {"earliest": "2025-07-01"},
            "2025-04",
            id="no ID, a day short of 1 year → too early, from the anniversary",
        ),
        pytest.param(
            {"today": date(2025, 10, 31), "purchased_on": date(2024, 11, 1)},
            False,
            K.NONE,
            None,
            R.NO_DISCOUNT_WITHOUT_ID,
            {},
            "2025-04",
            id="no ID, 1 year falls on 2025-11-01 when discounts have ended → none, no date "
            "promised",
        ),
        pytest.param(
            {"today": date(2025, 3, 1), "purchased_on": date(2024, 5, 1)},
            False,
            K.NONE,
            None,
            R.TOO_EARLY,
            {"earliest": "2025-05-01"},
            "legacy",
            id="no ID, the anniversary falls in the next version that still discounts → too early, "
            "with the date",
        ),
        pytest.param(
            {"today": date(2025, 10, 31), "purchased_on": date(2023, 11, 1)},
            True,
            K.DISCOUNT_ON_NEW,
            "10",
            R.DISCOUNT_WITHOUT_ID,
            {"percent": "10"},
            "2025-04",
            id="no ID, a day short of 2 years → 10%",
        ),
        pytest.param(
            {"today": date(2025, 10, 31), "purchased_on": date(2023, 10, 31)},
            True,
            K.DISCOUNT_ON_NEW,
            "15",
            R.DISCOUNT_WITHOUT_ID,
            {"percent": "15"},
            "2025-04",
            id="no ID, 2 years to the day → 15%",
        ),
        pytest.param(
            {"today": date(2025, 3, 31), "purchased_on": date(2020, 1, 1)},
            True,
            K.DISCOUNT_ON_NEW,
            "15",
            R.DISCOUNT_WITHOUT_ID,
            {"percent": "15"},
            "legacy",
            id="no ID, 2025-03-31 (legacy in force) → 15%",
        ),
        pytest.param(
            {"today": date(2025, 10, 31), "previous_trade_ins": 9},
            True,
            K.DISCOUNT_ON_NEW,
            "15",
            R.DISCOUNT_WITHOUT_ID,
            {"percent": "15"},
            "2025-04",
            id="no ID, before 2025-11-01: unlimited",
        ),
        pytest.param(
            {"today": date(2025, 10, 31), "category": "kvm_extender"},
            False,
            K.NONE,
            None,
            R.CATEGORY_NOT_ELIGIBLE,
            {},
            "2025-04",
            id="no ID, before 2025-11-01: KVM main units only",
        ),
        pytest.param(
            {"today": date(2025, 11, 1)},
            True,
            K.RECYCLE_ONLY,
            None,
            R.RECYCLING_WITHOUT_ID,
            {},
            "2025-11",
            id="no ID, 2025-11-01 → free recycling only",
        ),
        pytest.param(
            {"today": date(2025, 11, 1), "purchased_on": date(2025, 10, 1)},
            True,
            K.RECYCLE_ONLY,
            None,
            R.RECYCLING_WITHOUT_ID,
            {},
            "2025-11",
            id="no ID, from 2025-11-01 → recycling at any age",
        ),
        pytest.param(
            {"today": date(2025, 11, 1), "category": "accessory"},
            True,
            K.RECYCLE_ONLY,
            None,
            R.RECYCLING_WITHOUT_ID,
            {},
            "2025-11",
            id="no ID, from 2025-11-01 → recycling for any device",
        ),
    ],
)
def test_trade_in_without_an_activated_id(facts, eligible, kind, percent, reason, params, version):
    q = quote(cohort=None, **facts)
    assert (q.eligible, q.kind, q.reason_code, q.reason_params) == (eligible, kind, reason, params)
    assert q.percent == (Decimal(percent) if percent else None)
    assert q.value is None
    assert q.cohort is None
    assert q.policy_version == version


def test_a_store_that_moves_the_cutoff_keeps_non_member_discounts_longer():
    later = CohortCutoffs(april_until=date(2025, 12, 31))
    q = quote(cohort=None, today=date(2025, 11, 15), purchased_on=date(2023, 1, 1), cutoffs=later)
    assert (q.kind, q.percent) == (K.DISCOUNT_ON_NEW, Decimal("15"))


@pytest.mark.parametrize(
    ("deductions", "condition", "value"),
    [
        pytest.param(
            TradeInDeductions(cosmetic_wear=Decimal("25")),
            WORN,
            "48.38",
            id="a store charging 25% for wear",
        ),
        pytest.param(
            TradeInDeductions(packaging=Decimal("0")),
            WORN_NO_BOX,
            "51.60",
            id="a store ignoring packaging",
        ),
        pytest.param(
            TradeInDeductions(Decimal("60"), Decimal("50"), Decimal("10")),
            WORN_INCOMPLETE_NO_BOX,
            "0.00",
            id="deductions over 100% stop at zero",
        ),
    ],
)
def test_deductions_are_configurable_per_store(deductions, condition, value):
    assert quote(condition=condition, deductions=deductions).value == Decimal(value)


def test_a_deduction_is_a_percentage():
    with pytest.raises(ValueError):
        TradeInDeductions(cosmetic_wear=Decimal("120"))


def test_a_negative_amount_paid_is_refused():
    with pytest.raises(ValueError):
        quote(amount_paid=Decimal("-1"))


def test_a_currency_without_a_minor_unit_rule_is_refused():
    with pytest.raises(UnknownCurrency):
        quote(currency="XYZ")


@settings(max_examples=60, database=None, deadline=None)
@given(
    paid=st.decimals(min_value=0, max_value=100000, places=2),
    age_days=st.integers(min_value=90, max_value=365 * 5),
    wear=st.booleans(),
    complete=st.booleans(),
    boxed=st.booleans(),
)
def test_recovery_value_never_exceeds_its_base_nor_the_amount_paid(
    paid, age_days, wear, complete, boxed
):
    condition = TradeInCondition(wear, complete, boxed, working=True)
    q = quote(amount_paid=paid, purchased_on=TODAY - timedelta(days=age_days), condition=condition)
    if q.kind is K.RECOVERY_VALUE:
        assert Decimal(0) <= q.value <= q.base_value <= paid
        assert q.value.as_tuple().exponent == -2


@settings(max_examples=60, database=None, deadline=None)
@given(st.integers(min_value=90, max_value=365 * 7), st.integers(min_value=1, max_value=400))
def test_an_older_device_never_earns_a_higher_band(age_days, more_days):
    younger = quote(purchased_on=TODAY - timedelta(days=age_days))
    older = quote(purchased_on=TODAY - timedelta(days=age_days + more_days))
    assert (older.percent or Decimal(0)) <= (younger.percent or Decimal(0))


@pytest.mark.parametrize(
    ("shipped_on", "today", "overdue"),
    [
        pytest.param(
            date(2025, 12, 31),
            date(2026, 1, 5),
            False,
            id="shipped on day 30 after approval → kept",
        ),
        pytest.param(date(2026, 1, 1), date(2026, 1, 5), True, id="shipped on day 31 → revoked"),
        pytest.param(None, date(2025, 12, 31), False, id="not shipped, day 30 → still time"),
        pytest.param(None, date(2026, 1, 1), True, id="not shipped by day 31 → revoked"),
    ],
)
def test_recovery_value_revoked_when_not_shipped_within_30_days(shipped_on, today, overdue):
    assert recovery_shipment_overdue(date(2025, 12, 1), shipped_on, today) is overdue


QUOTED_AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("later", "expired"),
    [
        pytest.param(timedelta(0), False, id="at once"),
        pytest.param(timedelta(days=7), False, id="7 days to the instant: still valid"),
        pytest.param(timedelta(days=7, seconds=1), True, id="a second later: expired"),
        pytest.param(timedelta(days=30), True, id="a month later: expired"),
    ],
)
def test_a_quote_is_valid_for_seven_days(later, expired):
    assert QUOTE_VALID_DAYS == 7
    assert quote_expired(QUOTED_AT, QUOTED_AT + later) is expired


@pytest.mark.parametrize(
    ("eligible", "kind", "applicable"),
    [
        pytest.param(True, TradeInKind.RECOVERY_VALUE, True, id="a recovery value"),
        pytest.param(True, TradeInKind.DISCOUNT_ON_NEW, True, id="a discount on a new device"),
        pytest.param(
            True, TradeInKind.RECYCLE_ONLY, False, id="free recycling needs no application"
        ),
        pytest.param(False, TradeInKind.NONE, False, id="not eligible"),
    ],
)
def test_only_a_value_or_a_discount_is_applied_for(eligible, kind, applicable):
    answer = TradeInQuote(None, eligible, kind, None, None, "USD", "any")
    assert quote_applicable(answer) is applicable
