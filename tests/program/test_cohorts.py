"""Which policy version a member keeps, and which one is in force (POLICY.md section 2)."""

from datetime import date

import pytest

from plugin.program.cohorts import Cohort, CohortCutoffs, cohort_for, policy_in_force


@pytest.mark.parametrize(
    ("registered_on", "cohort"),
    [
        pytest.param(date(2023, 6, 1), Cohort.LEGACY, id="registered 2023 → legacy"),
        pytest.param(
            date(2024, 3, 31), Cohort.LEGACY, id="2024-03-31 → legacy (the 2025 cutoff wins)"
        ),
        pytest.param(
            date(2025, 3, 31), Cohort.LEGACY, id="2025-03-31, the last legacy day → legacy"
        ),
        pytest.param(date(2025, 4, 1), Cohort.APRIL_2025, id="2025-04-01 → 2025-04"),
        pytest.param(
            date(2025, 10, 31), Cohort.APRIL_2025, id="2025-10-31, the last April day → 2025-04"
        ),
        pytest.param(date(2025, 11, 1), Cohort.NOVEMBER_2025, id="2025-11-01 → 2025-11"),
        pytest.param(date(2027, 1, 1), Cohort.NOVEMBER_2025, id="2027 → 2025-11"),
    ],
)
def test_cohort_by_registration_date(registered_on, cohort):
    assert cohort_for(registered_on) is cohort


@pytest.mark.parametrize(
    ("today", "version"),
    [
        pytest.param(date(2025, 3, 31), Cohort.LEGACY, id="asked 2025-03-31 → legacy rules"),
        pytest.param(date(2025, 4, 1), Cohort.APRIL_2025, id="asked 2025-04-01 → 2025-04 rules"),
        pytest.param(date(2025, 10, 31), Cohort.APRIL_2025, id="asked 2025-10-31 → 2025-04 rules"),
        pytest.param(
            date(2025, 11, 1), Cohort.NOVEMBER_2025, id="asked 2025-11-01 → 2025-11 rules"
        ),
    ],
)
def test_policy_in_force_on_the_day_of_the_request(today, version):
    assert policy_in_force(today) is version


def test_a_store_may_use_the_older_legacy_cutoff():
    older = CohortCutoffs(legacy_until=date(2024, 3, 31))
    assert cohort_for(date(2024, 3, 31), older) is Cohort.LEGACY
    assert cohort_for(date(2024, 4, 1), older) is Cohort.APRIL_2025


def test_cutoffs_must_be_in_order():
    with pytest.raises(ValueError):
        CohortCutoffs(legacy_until=date(2025, 11, 1), april_until=date(2025, 10, 31))


@pytest.mark.parametrize(
    ("cohort", "value"),
    [
        pytest.param(Cohort.LEGACY, "legacy", id="legacy"),
        pytest.param(Cohort.APRIL_2025, "2025-04", id="2025-04"),
        pytest.param(Cohort.NOVEMBER_2025, "2025-11", id="2025-11"),
    ],
)
def test_cohorts_are_stored_as_their_policy_names(cohort, value):
    assert cohort == value
    assert str(cohort) == value
