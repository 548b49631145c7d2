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


def ctrlf_code_percent(cohort: Cohort | None, requested: Decimal | None = None) -> Decimal | None:
    """The percentage on a selected member's single-use code.

    ``requested`` is what the merchant set for the test (None: the cohort's default). Section 7
    says "up to 40%", so a request above a cohort's percent is capped; ``legacy`` was promised the
    product "free or 50%", so its percent is a floor and a free test is 100.
    """
    default = ctrlf_discount_percent(cohort)
    if cohort is None or default is None:
        return None
    if requested is None:
        return default
    if POLICIES[cohort].ctrlf_free_test_possible:
        return min(max(requested, default), Decimal(100))
    return max(min(requested, default), Decimal(0))
