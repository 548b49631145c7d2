"""Calendar months and working days, as the policy counts them (POLICY.md sections 5 and 6)."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plugin.program.calendar import add_months, add_working_days, is_working_day, months_between


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        pytest.param(
            date(2022, 11, 15),
            36,
            date(2025, 11, 15),
            id="36 months is the same day three years on",
        ),
        pytest.param(
            date(2024, 1, 31), 1, date(2024, 2, 29), id="Jan 31 + 1 month in a leap year → Feb 29"
        ),
        pytest.param(date(2025, 1, 31), 1, date(2025, 2, 28), id="Jan 31 + 1 month → Feb 28"),
        pytest.param(date(2025, 3, 31), 1, date(2025, 4, 30), id="Mar 31 + 1 month → Apr 30"),
        pytest.param(date(2024, 2, 29), 12, date(2025, 2, 28), id="leap day + 12 months → Feb 28"),
        pytest.param(date(2024, 2, 29), 36, date(2027, 2, 28), id="leap day + 36 months → Feb 28"),
        pytest.param(
            date(2024, 2, 29), 48, date(2028, 2, 29), id="leap day + 48 months → leap day"
        ),
        pytest.param(date(2023, 10, 31), 4, date(2024, 2, 29), id="Oct 31 + 4 months → Feb 29"),
        pytest.param(
            date(2025, 12, 15), 1, date(2026, 1, 15), id="December + 1 month rolls the year"
        ),
        pytest.param(date(2026, 1, 15), -1, date(2025, 12, 15), id="January - 1 month rolls back"),
        pytest.param(date(2025, 8, 31), -6, date(2025, 2, 28), id="Aug 31 - 6 months → Feb 28"),
        pytest.param(date(2025, 5, 10), 0, date(2025, 5, 10), id="0 months is the same day"),
    ],
)
def test_add_months(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        pytest.param(
            date(2022, 11, 15), date(2025, 11, 15), 36, id="the boundary day completes month 36"
        ),
        pytest.param(date(2022, 11, 15), date(2025, 11, 14), 35, id="one day short is 35 months"),
        pytest.param(
            date(2022, 11, 15), date(2025, 11, 16), 36, id="one day more is still 36 whole months"
        ),
        pytest.param(
            date(2025, 1, 31), date(2025, 2, 28), 1, id="Jan 31 to Feb 28 is a whole month"
        ),
        pytest.param(date(2025, 1, 31), date(2025, 2, 27), 0, id="Jan 31 to Feb 27 is not"),
        pytest.param(
            date(2024, 2, 29), date(2025, 2, 28), 12, id="leap day to Feb 28 is 12 months"
        ),
        pytest.param(date(2025, 5, 10), date(2025, 5, 10), 0, id="same day is 0 months"),
        pytest.param(date(2025, 3, 15), date(2025, 1, 15), -2, id="backwards counts negative"),
    ],
)
def test_months_between(start, end, expected):
    assert months_between(start, end) == expected


@settings(max_examples=80, database=None, deadline=None)
@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)),
    st.integers(min_value=0, max_value=120),
)
def test_months_between_undoes_add_months(start, months):
    end = add_months(start, months)
    assert months_between(start, end) == months
    assert end.day <= start.day
    assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == months


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        pytest.param(
            date(2025, 11, 14), 5, date(2025, 11, 21), id="Friday + 5 working days → next Friday"
        ),
        pytest.param(
            date(2025, 11, 12), 5, date(2025, 11, 19), id="Wednesday + 5 over a weekend → Wednesday"
        ),
        pytest.param(date(2025, 11, 10), 5, date(2025, 11, 17), id="Monday + 5 → next Monday"),
        pytest.param(date(2025, 11, 15), 5, date(2025, 11, 21), id="Saturday + 5 → Friday"),
        pytest.param(date(2025, 11, 16), 1, date(2025, 11, 17), id="Sunday + 1 → Monday"),
        pytest.param(date(2025, 11, 14), 1, date(2025, 11, 17), id="Friday + 1 → Monday"),
        pytest.param(
            date(2025, 11, 15), 0, date(2025, 11, 15), id="0 working days is the same day"
        ),
        pytest.param(date(2025, 11, 17), -1, date(2025, 11, 14), id="Monday - 1 → Friday"),
    ],
)
def test_add_working_days(start, days, expected):
    assert add_working_days(start, days) == expected


def test_add_working_days_skips_a_store_holiday_calendar():
    christmas = {date(2025, 12, 25), date(2025, 12, 26)}
    assert add_working_days(date(2025, 12, 24), 5, christmas) == date(2026, 1, 2)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        pytest.param(date(2025, 11, 14), True, id="Friday works"),
        pytest.param(date(2025, 11, 15), False, id="Saturday rests"),
        pytest.param(date(2025, 11, 16), False, id="Sunday rests"),
    ],
)
def test_is_working_day(day, expected):
    assert is_working_day(day) is expected
