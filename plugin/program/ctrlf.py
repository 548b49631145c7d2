"""CTRL F product testing (POLICY.md section 7)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from plugin.program.cohorts import Cohort
from plugin.program.policies import POLICIES


def ctrlf_discount_percent(cohort: Cohort | None) -> Decimal | None:
    """The test-product discount for a selected member: 40%, 50% for ``legacy`` (who may also be
    offered the product free, ``Policy.ctrlf_free_test_possible``). None without an activated ID:
    CTRL F is a member benefit (section 2)."""
    if cohort is None:
        return None
    return POLICIES[cohort].ctrlf_discount_percent


def feedback_overdue(due_on: date, submitted_on: date | None, today: date) -> bool:
    """Feedback not in by the end of its due day: still missing after it, or handed in late (the
    merchant weighs late feedback when selecting the next participants)."""
    if submitted_on is not None:
        return submitted_on > due_on
    return today > due_on
