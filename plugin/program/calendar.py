"""Calendar arithmetic the program rules are written in (POLICY.md sections 4-6).

The policy counts ages and warranties in calendar months, not in days: "36 months" is the purchase
date plus 36 calendar months, and that boundary day still counts as inside (POLICY.md section 5).
A month that has no such day ends on its last day (January 31 plus one month is February 28, or 29
in a leap year), so a period never spills into the month after.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta

_SATURDAY = 5  # date.weekday(): Monday is 0, so Saturday and Sunday are 5 and 6


def _days_in_month(year: int, month: int) -> int:
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    return (first_of_next - timedelta(days=1)).day


def add_months(d: date, n: int) -> date:
    """``d`` plus ``n`` calendar months (``n`` may be negative), clamped to the month's last day."""
    year, month_index = divmod(d.year * 12 + (d.month - 1) + n, 12)
    month = month_index + 1
    return d.replace(year=year, month=month, day=min(d.day, _days_in_month(year, month)))


def months_between(start: date, end: date) -> int:
    """Whole calendar months elapsed from ``start`` to ``end``.

    The largest ``n`` with ``add_months(start, n) <= end``, so the month boundary day counts as a
    completed month (purchase on Jan 31, on Feb 28 one month has elapsed). Negative when ``end`` is
    before ``start``: minus the whole months from ``end`` back to ``start``.
    """
    if end < start:
        return -months_between(end, start)
    n = (end.year - start.year) * 12 + (end.month - start.month)
    # The estimate overshoots by one when end's day of month comes before start's.
    if add_months(start, n) > end:
        n -= 1
    return n


def is_working_day(d: date, holidays: Collection[date] = ()) -> bool:
    """Monday to Friday, and not one of the given public holidays."""
    return d.weekday() < _SATURDAY and d not in holidays


def add_working_days(d: date, n: int, holidays: Collection[date] = ()) -> date:
    """The ``n``-th working day after ``d`` (before it when ``n`` is negative).

    Working days are Monday to Friday (POLICY.md section 6: the refund is due within 5 working
    days). The policy names no holiday calendar; a store may pass its own. ``d`` itself is never
    counted, so a parcel received on a Saturday has Monday as its first working day.
    """
    step = timedelta(days=1 if n >= 0 else -1)
    remaining = abs(n)
    while remaining:
        d += step
        if is_working_day(d, holidays):
            remaining -= 1
    return d
