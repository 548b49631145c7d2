"""CTRL F product testing (POLICY.md section 7)."""

from datetime import date
from decimal import Decimal

import pytest

from plugin.program.benefits.ctrlf import ctrlf_discount_percent, feedback_overdue
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
