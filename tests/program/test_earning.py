"""Earning points, and taking them back on refunds (POLICY.md section 3)."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plugin.program.earning import (
    DEFAULT_EARNING_RULES,
    EarningRules,
    clawback_points,
    order_points,
    review_points,
)


@pytest.mark.parametrize(
    ("action", "points"),
    [
        pytest.param("signup", 100, id="sign up → 100"),
        pytest.param("newsletter", 100, id="newsletter → 100"),
        pytest.param("survey", 800, id="survey → 800"),
        pytest.param("order", 2000, id="paid order → 2,000"),
        pytest.param("review", 100, id="review → 100"),
        pytest.param("review_with_photos", 200, id="review with photos → 200"),
    ],
)
def test_default_points_per_action(action, points):
    assert getattr(DEFAULT_EARNING_RULES, action) == points


PER_DOLLAR = EarningRules(per_currency_unit=Decimal("1"))


@pytest.mark.parametrize(
    ("rules", "net", "multiplier", "points"),
    [
        pytest.param(
            DEFAULT_EARNING_RULES,
            Decimal("129.99"),
            Decimal(1),
            2000,
            id="flat: 2,000 per paid order",
        ),
        pytest.param(
            DEFAULT_EARNING_RULES,
            Decimal("0"),
            Decimal(1),
            2000,
            id="flat: the amount does not matter",
        ),
        pytest.param(
            DEFAULT_EARNING_RULES,
            Decimal("129.99"),
            Decimal(2),
            4000,
            id="flat, Points Day 2x → 4,000",
        ),
        pytest.param(
            DEFAULT_EARNING_RULES,
            Decimal("129.99"),
            Decimal("1.5"),
            3000,
            id="flat, 1.5x campaign → 3,000",
        ),
        pytest.param(
            PER_DOLLAR,
            Decimal("129.99"),
            Decimal(1),
            129,
            id="per dollar: partial dollars earn nothing",
        ),
        pytest.param(PER_DOLLAR, Decimal("129.99"), Decimal(2), 258, id="per dollar, 2x → 258"),
        pytest.param(
            EarningRules(per_currency_unit=Decimal("0.5")),
            Decimal("99.99"),
            Decimal(1),
            49,
            id="half a point per dollar, rounded down",
        ),
        pytest.param(
            EarningRules(per_currency_unit=Decimal("0.01")),
            Decimal("12345"),
            Decimal(1),
            123,
            id="JPY store, 1 point per 100 yen",
        ),
        pytest.param(
            PER_DOLLAR, Decimal("-5"), Decimal(1), 0, id="per dollar, a negative net earns nothing"
        ),
    ],
)
def test_order_points(rules, net, multiplier, points):
    assert order_points(rules, net, multiplier) == points


def test_a_negative_multiplier_is_refused():
    with pytest.raises(ValueError):
        order_points(DEFAULT_EARNING_RULES, Decimal("10"), Decimal("-1"))


@pytest.mark.parametrize(
    ("awarded", "total", "refunded", "already", "clawed"),
    [
        pytest.param(2000, "100.00", "100.00", 0, 2000, id="full refund takes all"),
        pytest.param(2000, "100.00", "50.00", 0, 1000, id="half refunded → half back"),
        pytest.param(2000, "100.00", "33.33", 0, 667, id="a third refunded → 666.6 rounds to 667"),
        pytest.param(
            2000, "100.00", "66.66", 667, 666, id="second third, cumulative 66.66 → 1,333 in total"
        ),
        pytest.param(
            2000, "100.00", "100.00", 1333, 667, id="last third takes exactly what is left"
        ),
        pytest.param(2000, "100.00", "100.00", 2000, 0, id="nothing left to take"),
        pytest.param(2000, "100.00", "0.00", 0, 0, id="nothing refunded → nothing back"),
        pytest.param(
            2000, "100.00", "120.00", 0, 2000, id="refund above the total takes all, never more"
        ),
        pytest.param(2000, "100.00", "10.00", 500, 0, id="never gives points back"),
        pytest.param(2000, "0.00", "0.00", 0, 2000, id="fully discounted order cancelled → all"),
        pytest.param(
            4000, "100.00", "25.00", 0, 1000, id="2x campaign points come back in proportion"
        ),
    ],
)
def test_clawback_points(awarded, total, refunded, already, clawed):
    assert clawback_points(awarded, Decimal(total), Decimal(refunded), already) == clawed


@settings(max_examples=80, database=None, deadline=None)
@given(
    awarded=st.integers(min_value=0, max_value=200_000),
    total_cents=st.integers(min_value=1, max_value=10_000_000),
    cuts=st.lists(st.floats(min_value=0, max_value=1), max_size=8),
)
def test_partial_clawbacks_of_a_full_refund_sum_to_the_award(awarded, total_cents, cuts):
    total = Decimal(total_cents) / 100
    # Split the total into partial refunds at arbitrary cent positions.
    marks = sorted({int(c * total_cents) for c in cuts} | {total_cents})
    clawed = 0
    for mark in marks:
        step = clawback_points(awarded, total, Decimal(mark) / 100, clawed)
        assert step >= 0
        clawed += step
        assert clawed <= awarded
    assert clawed == awarded


@pytest.mark.parametrize(
    ("with_photos", "already", "points"),
    [
        pytest.param(False, 0, 100, id="first review → 100"),
        pytest.param(True, 0, 200, id="first review with photos → 200"),
        pytest.param(True, 100, 100, id="photos after a plain review → tops up to 200, never 300"),
        pytest.param(False, 100, 0, id="second plain review of the product → nothing"),
        pytest.param(True, 200, 0, id="second photo review → nothing"),
        pytest.param(False, 200, 0, id="plain review after a photo review → nothing"),
    ],
)
def test_review_points_once_per_product(with_photos, already, points):
    assert review_points(with_photos, already) == points
