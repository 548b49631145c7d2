"""Which policy version (cohort) applies to whom (POLICY.md section 2).

A member's cohort is fixed by the registration date: the activation date, or for members imported
from the old program their original registration date. It never moves afterwards, because a new
policy version never takes a promised benefit away. A customer without an activated ID is judged by
the version in force on the day of the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Cohort(StrEnum):
    LEGACY = "legacy"
    APRIL_2025 = "2025-04"
    NOVEMBER_2025 = "2025-11"


@dataclass(frozen=True)
class CohortCutoffs:
    """Last registration day of each older version; configurable per store (POLICY.md section 9:
    one source says 2024-03-31 for the legacy cutoff, the later legal text 2025-03-31)."""

    legacy_until: date = date(2025, 3, 31)
    april_until: date = date(2025, 10, 31)

    def __post_init__(self) -> None:
        if not self.legacy_until < self.april_until:
            raise ValueError("legacy_until must come before april_until")


DEFAULT_CUTOFFS = CohortCutoffs()


def cohort_for(registered_on: date, cutoffs: CohortCutoffs = DEFAULT_CUTOFFS) -> Cohort:
    """The cohort of a member registered on ``registered_on``; cutoff days belong to the older
    version ("on or before 2025-03-31")."""
    if registered_on <= cutoffs.legacy_until:
        return Cohort.LEGACY
    if registered_on <= cutoffs.april_until:
        return Cohort.APRIL_2025
    return Cohort.NOVEMBER_2025


def policy_in_force(today: date, cutoffs: CohortCutoffs = DEFAULT_CUTOFFS) -> Cohort:
    """The version published on ``today``: the one a customer without an activated ID is judged
    by."""
    return cohort_for(today, cutoffs)
