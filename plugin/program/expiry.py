"""Points expiry after a period without activity (POLICY.md section 3: off by default; a store may
set expiry after N months without activity).

``expires_on`` is the last day the points can still be used, like the warranty ends: the boundary
day is inside, and the expiry entry belongs on the day after (when ``today > expires_on``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

from plugin.program.calendar import add_months


class PointsExpiry(NamedTuple):
    points: int  # the positive balance that lapses; 0 when there is nothing to expire
    expires_on: date | None  # None when expiry is off or the wallet never moved


def points_to_expire(
    entries: Iterable[tuple[date, int]],
    last_activity_on: date | None,
    today: date,
    months: int | None,
) -> PointsExpiry:
    """What lapses, and when, for one wallet as of ``today``.

    ``entries`` are the wallet's ledger rows as (date, delta); rows dated after ``today`` are not
    counted. ``last_activity_on`` is the member's last activity as the store defines it; when it is
    None the latest ledger row stands in for it. A negative balance never expires.
    """
    if months is None:
        return PointsExpiry(0, None)
    if months <= 0:
        raise ValueError(f"points expire after a positive number of months, not {months}")
    rows = [(day, delta) for day, delta in entries if day <= today]
    if last_activity_on is None:
        last_activity_on = max((day for day, _ in rows), default=None)
        if last_activity_on is None:
            return PointsExpiry(0, None)
    balance = sum(delta for _, delta in rows)
    return PointsExpiry(max(balance, 0), add_months(last_activity_on, months))
