"""CTRL F product testing (POLICY.md section 7)."""

from datetime import date
from decimal import Decimal

import pytest

from plugin.program.benefits.ctrlf import (
    ADVERTISED_PERCENT,
    ctrlf_discount_percent,
    ctrlf_shown_percent,
    feedback_overdue,
)
from plugin.program.cohorts import Cohort


@pytest.mark.parametrize(
    ("cohort", "percent"),
    [
        pytest.param(Cohort.LEGACY, Decimal("50"), id="legacy → 50% (or free)"),
        pytest.param(Cohort.APRIL_2025, Decimal("40"), id="2025-04 → up to 40%"),
        pytest.param(Cohort.NOVEMBER_2025, Decimal("40"), id="2025-11 → up to 40%"),
        pytest.param(None, None, id="no activated ID → not authorized"),
    ],
)
def test_ctrlf_discount_percent(cohort, percent):
    assert ctrlf_discount_percent(cohort) == percent


DUE = date(2025, 6, 30)


@pytest.mark.parametrize(
    ("submitted_on", "today", "overdue"),
    [
        pytest.param(date(2025, 6, 20), date(2025, 7, 10), False, id="handed in early → fine"),
        pytest.param(DUE, date(2025, 7, 10), False, id="handed in on the due day → fine"),
        pytest.param(
            date(2025, 7, 1), date(2025, 7, 10), True, id="handed in the day after → overdue"
        ),
        pytest.param(None, DUE, False, id="missing on the due day → not yet overdue"),
        pytest.param(None, date(2025, 7, 1), True, id="missing the day after → overdue"),
    ],
)
def test_feedback_overdue(submitted_on, today, overdue):
    assert feedback_overdue(DUE, submitted_on, today) is overdue


@pytest.mark.parametrize(
    ("cohort", "requested", "shown"),
    [
        pytest.param(None, None, Decimal("40"), id="no ID, no percent set: up to 40%"),
        pytest.param(None, Decimal("30"), Decimal("30"), id="no ID: the test's own percent"),
        pytest.param(Cohort.NOVEMBER_2025, None, Decimal("40"), id="a member: the cohort's 40%"),
        pytest.param(Cohort.NOVEMBER_2025, Decimal("60"), Decimal("40"), id="capped at 40%"),
        pytest.param(Cohort.LEGACY, None, Decimal("50"), id="legacy: 50%"),
        pytest.param(Cohort.LEGACY, Decimal("100"), Decimal("100"), id="legacy: free"),
    ],
)
def test_the_percent_a_test_shows(cohort, requested, shown):
    assert Decimal("40") == ADVERTISED_PERCENT
    assert ctrlf_shown_percent(cohort, requested) == shown
