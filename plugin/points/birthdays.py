"""The birthday reward (issue 19; rules in ``plugin.program.birthday``).

The member enters a month and a day in the widget; the store's birthday points are paid once per
year in that month, by a ledger entry keyed by member and year, on the store's calendar day
(``plugin.clock``). Paid at once when the birthday is entered during its month, and otherwise by
the sweep's periodic task on the first run in the month. Off by default: a store without
``birthday_enabled`` neither takes birthdays nor pays for them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import String, and_, cast, literal, select

from plugin import clock, ledger
from plugin.database import audit
from plugin.database.transaction import unit_of_work
from plugin.extensions import db
from plugin.models import Member, MemberBirthday, PointEntry, Shop
from plugin.program.birthday import (
    Birthday,
    BirthdayInvalid,
    cause_key,
    may_change,
    next_change_on,
    reward_year,
)
from plugin.program.entries import EntryKind
from plugin.program.errors import Conflict, DomainError, NotFound
from plugin.shops.settings import ProgramSettings, program_settings

log = logging.getLogger(__name__)
BATCH = 1000


class BirthdayRefused(DomainError):
    pass


class BirthdayConflict(BirthdayRefused, Conflict):
    pass


class BirthdayNotFound(BirthdayRefused, NotFound):
    pass


@dataclass(frozen=True)
class BirthdayView:
    enabled: bool
    points: int
    birthday: Birthday | None
    may_change: bool
    next_change_on: date | None
    rewarded_this_year: bool

    def body(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "points": self.points,
            "birthday": {"month": self.birthday.month, "day": self.birthday.day}
            if self.birthday
            else None,
            "can_change": self.may_change,
            "next_change_on": self.next_change_on.isoformat() if self.next_change_on else None,
            "rewarded_this_year": self.rewarded_this_year,
        }


def store_today(shop: Shop) -> date:
    return clock.today(clock.zone(shop.timezone, shop.region))


def _row(shop: Shop, member_id: int, *, lock: bool = False) -> MemberBirthday | None:
    stmt = select(MemberBirthday).where(
        MemberBirthday.shop_id == shop.id, MemberBirthday.member_id == member_id
    )
    if lock:
        stmt = stmt.with_for_update()
    return db.session.execute(stmt).scalar_one_or_none()


def view(shop: Shop, member: Member, settings: ProgramSettings | None = None) -> BirthdayView:
    settings = settings or program_settings(shop)
    today = store_today(shop)
    row = _row(shop, member.id)
    return BirthdayView(
        enabled=settings.birthday_enabled,
        points=settings.birthday_points,
        birthday=Birthday(row.month, row.day) if row else None,
        may_change=may_change(row.set_on if row else None, today),
        next_change_on=next_change_on(row.set_on)
        if row and not may_change(row.set_on, today)
        else None,
        rewarded_this_year=ledger.has_entry(shop.id, cause_key(member.id, today.year)),
    )


def parse(body: dict[str, Any]) -> Birthday:
    month, day = body.get("month"), body.get("day")
    # Spelled out per value, so that the type checker narrows both to int.
    if (
        not isinstance(month, int)
        or not isinstance(day, int)
        or isinstance(month, bool)
        or isinstance(day, bool)
    ):
        raise BirthdayInvalid("invalid_birthday", "month and day must be whole numbers")
    return Birthday(int(month), int(day))


@unit_of_work()
def set_birthday(shop: Shop, member: Member, birthday: Birthday) -> BirthdayView:
    """Store the member's birthday (at most one change a year); pays this year's reward when the
    birthday month is now. Commits. Raises ``BirthdayRefused``."""
    settings = program_settings(shop)
    if not settings.birthday_enabled:
        raise BirthdayNotFound("This store has no birthday reward.", code="birthday_off")
    today = store_today(shop)
    # The member row serialises two saves of one member (there may be no birthday row to lock yet).
    db.session.execute(select(Member.id).where(Member.id == member.id).with_for_update())
    row = _row(shop, member.id, lock=True)
    if row is not None and (row.month, row.day) == (birthday.month, birthday.day):
        return view(shop, member, settings)
    if row is not None and not may_change(row.set_on, today):
        raise BirthdayConflict(
            f"The birthday can be changed again from {next_change_on(row.set_on)}.",
            code="birthday_locked",
        )
    before = {"month": row.month, "day": row.day} if row else None
    if row is None:
        row = MemberBirthday(
            shop_id=shop.id,
            member_id=member.id,
            month=birthday.month,
            day=birthday.day,
            set_on=today,
        )
        db.session.add(row)
    else:
        row.month, row.day, row.set_on, row.updated_at = (
            birthday.month,
            birthday.day,
            today,
            clock.now(),
        )
    db.session.flush()
    audit.record(
        shop_id=shop.id,
        actor=f"customer:{member.id}",
        action="birthday.set",
        subject_type="member",
        subject_id=member.id,
        before=before,
        after={"month": birthday.month, "day": birthday.day},
    )
    _pay_if_due(shop, member, birthday, today, settings)
    return view(shop, member, settings)


def _pay_if_due(
    shop: Shop, member: Member, birthday: Birthday, today: date, settings: ProgramSettings
) -> bool:
    year = reward_year(birthday, today)
    if year is None or not member.is_active or settings.birthday_points <= 0:
        return False
    return (
        ledger.post_entry(
            shop_id=shop.id,
            member_id=member.id,
            delta=settings.birthday_points,
            kind=EntryKind.BIRTHDAY,
            cause_key=cause_key(member.id, year),
            note=f"birthday {year}",
        )
        is not None
    )


def pay_due_birthdays(shop: Shop) -> int:
    """This month's birthday rewards of ``shop`` not yet paid; each committed in batches."""
    settings = program_settings(shop)
    if not settings.birthday_enabled or settings.birthday_points <= 0:
        return 0
    today = store_today(shop)
    paid = 0
    after_id = 0
    while True:
        # Members with a birthday this month, activated and open, without this year's entry.
        rows = db.session.execute(
            select(MemberBirthday.id, MemberBirthday.member_id)
            .join(Member, Member.id == MemberBirthday.member_id)
            .outerjoin(
                PointEntry,
                and_(
                    PointEntry.shop_id == shop.id,
                    PointEntry.cause_key
                    == literal("birthday:")
                    + cast(MemberBirthday.member_id, String)
                    + literal(f":{today.year}"),
                ),
            )
            .where(
                MemberBirthday.shop_id == shop.id,
                MemberBirthday.month == today.month,
                MemberBirthday.id > after_id,
                Member.state == "open",
                Member.activated_at.is_not(None),
                PointEntry.id.is_(None),
            )
            .order_by(MemberBirthday.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return paid
        with unit_of_work():  # one batch
            for row_id, member_id in rows:
                after_id = row_id
                if (
                    ledger.post_entry(
                        shop_id=shop.id,
                        member_id=member_id,
                        delta=settings.birthday_points,
                        kind=EntryKind.BIRTHDAY,
                        cause_key=cause_key(member_id, today.year),
                        note=f"birthday {today.year}",
                    )
                    is not None
                ):
                    paid += 1


def pay_all_due_birthdays() -> int:
    total = 0
    for shop in (
        db.session.execute(select(Shop).where(Shop.uninstalled_at.is_(None))).scalars().all()
    ):
        try:
            total += pay_due_birthdays(shop)
        except Exception:
            db.session.rollback()  # the failed batch only: those before it are committed
            log.exception("birthday rewards failed for %s", shop.domain)
    return total
