"""Points expiry after N months without activity (POLICY.md section 3)."""

from datetime import date

import pytest

from plugin.program.expiry import points_to_expire

ENTRIES = [(date(2024, 1, 10), 500), (date(2024, 3, 5), -200)]


@pytest.mark.parametrize(
    ("entries", "last_activity", "today", "months", "expected"),
    [
        pytest.param(
            ENTRIES,
            date(2024, 3, 5),
            date(2024, 6, 1),
            None,
            (0, None),
            id="expiry off (the default) → nothing expires",
        ),
        pytest.param(
            ENTRIES,
            date(2024, 3, 5),
            date(2024, 6, 1),
            12,
            (300, date(2025, 3, 5)),
            id="12 months after the last activity",
        ),
        pytest.param(
            ENTRIES,
            None,
            date(2024, 6, 1),
            12,
            (300, date(2025, 3, 5)),
            id="no activity date: the last ledger row stands in",
        ),
        pytest.param(
            ENTRIES,
            date(2024, 5, 1),
            date(2024, 6, 1),
            12,
            (300, date(2025, 5, 1)),
            id="a later activity without points moves the date",
        ),
        pytest.param(
            [(date(2024, 1, 10), 100), (date(2024, 2, 1), -300)],
            None,
            date(2024, 6, 1),
            12,
            (0, date(2025, 2, 1)),
            id="a negative balance never expires",
        ),
        pytest.param(
            ENTRIES + [(date(2024, 7, 1), 1000)],
            date(2024, 3, 5),
            date(2024, 6, 1),
            12,
            (300, date(2025, 3, 5)),
            id="rows after today do not count",
        ),
        pytest.param(
            [], None, date(2024, 6, 1), 12, (0, None), id="an empty wallet has nothing to expire"
        ),
        pytest.param(
            [(date(2024, 2, 29), 100)],
            None,
            date(2024, 6, 1),
            12,
            (100, date(2025, 2, 28)),
            id="leap-day activity + 12 months → Feb 28",
        ),
    ],
)
def test_points_to_expire(entries, last_activity, today, months, expected):
    assert points_to_expire(entries, last_activity, today, months) == expected


def test_expiry_after_zero_months_is_refused():
    with pytest.raises(ValueError):
        points_to_expire(ENTRIES, None, date(2024, 6, 1), 0)
