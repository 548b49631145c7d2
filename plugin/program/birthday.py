"""The birthday reward (issue 19): off by default; when a store turns it on, a member who gave a
birthday gets the store's birthday points once per year, in the birthday month, counted in the
store's own calendar (POLICY.md section 1).

Pure rules: the caller passes the store's today. A birthday is a month and a day (no year: it is
not needed, and less personal data is kept). The member may enter it once and change it at most
once a year, so it cannot be moved around the calendar to collect more than one reward a year;
the reward itself is keyed by the year as well, which makes "once per year" hold whatever the
member does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from plugin.program.calendar import add_months
from plugin.program.errors import Invalid

DEFAULT_BIRTHDAY_POINTS = 200
CHANGE_EVERY_MONTHS = 12
# The longest month of each month of the year: 29 February is a birthday too.
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class BirthdayInvalid(Invalid, ValueError):
    """``code`` is the stable reason the widget translates."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)


@dataclass(frozen=True)
class Birthday:
    month: int
    day: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise BirthdayInvalid("invalid_birthday", "month must be from 1 to 12")
        if not 1 <= self.day <= _DAYS_IN_MONTH[self.month - 1]:
            raise BirthdayInvalid("invalid_birthday", "day is not a day of that month")


def next_change_on(set_on: date | None) -> date | None:
    """The first day the birthday may be changed again (None: it may be entered now)."""
    return add_months(set_on, CHANGE_EVERY_MONTHS) if set_on is not None else None


def may_change(set_on: date | None, today: date) -> bool:
    change_on = next_change_on(set_on)
    return change_on is None or today >= change_on


def reward_year(birthday: Birthday | None, today: date) -> int | None:
    """The year whose birthday reward is due on ``today`` (the store's day), or None."""
    if birthday is None or birthday.month != today.month:
        return None
    return today.year


def cause_key(member_id: int, year: int) -> str:
    """One ledger entry per member, store and year (the store is the entry's own column)."""
    return f"birthday:{member_id}:{year}"
