"""Points expiry (POLICY.md 3): off by default; when a shop sets N months, points unused for N
months lapse by a ledger entry, and the widget tells the member how many and when.

The rule is ``plugin.program.expiry.points_to_expire``: ``expires_on`` is the last day the points
can be used, so the entry is written from the day after. Days are the shop's own calendar days.
The entry's cause key names the member and that day, so a rerun of the task writes nothing, and a
member who earns again gets a new date and, later, a new entry.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select

from plugin import clock, ledger
from plugin.database.transaction import unit_of_work
from plugin.extensions import db
from plugin.models import PointEntry, Shop, Wallet
from plugin.program.calendar import add_months
from plugin.program.entries import EntryKind
from plugin.program.expiry import PointsExpiry, points_to_expire
from plugin.shops.settings import ProgramSettings, program_settings

log = logging.getLogger(__name__)


def shop_zone(shop: Shop) -> ZoneInfo:
    return clock.shop_zone(shop)


def shop_today(shop: Shop, now: datetime | None = None) -> date:
    return (now or clock.now()).astimezone(shop_zone(shop)).date()


def _local_day(shop: Shop, moment: datetime | None) -> date | None:
    return moment.astimezone(shop_zone(shop)).date() if moment is not None else None


def wallet_expiry(shop: Shop, wallet: Wallet, today: date, months: int | None) -> PointsExpiry:
    rows = db.session.execute(
        select(PointEntry.created_at, PointEntry.delta).where(
            PointEntry.shop_id == shop.id, PointEntry.member_id == wallet.member_id
        )
    ).all()
    entries = [(_local_day(shop, created), int(delta)) for created, delta in rows]
    return points_to_expire(
        [(day, delta) for day, delta in entries if day is not None],
        _local_day(shop, wallet.last_activity_at),
        today,
        months,
    )


def upcoming(
    shop: Shop,
    member_id: int,
    now: datetime | None = None,
    *,
    settings: ProgramSettings | None = None,
) -> tuple[int, date] | None:
    """(points, the last day they can be used) without further activity, or None (expiry off,
    nothing to lose). Shown by ``GET /proxy/member`` as ``points.expiring``; ``settings`` are the
    shop's, when the caller has read them already."""
    settings = settings if settings is not None else program_settings(shop)
    if settings.points_expiry_months is None:
        return None
    wallet = db.session.execute(
        select(Wallet).where(Wallet.shop_id == shop.id, Wallet.member_id == member_id)
    ).scalar_one_or_none()
    return upcoming_of_wallet(shop, wallet, now, settings=settings)


def upcoming_of_wallet(
    shop: Shop,
    wallet: Wallet | None,
    now: datetime | None = None,
    *,
    settings: ProgramSettings,
) -> tuple[int, date] | None:
    """``upcoming`` for a wallet the caller has read already (None: the member has none)."""
    months = settings.points_expiry_months
    if months is None or wallet is None:
        return None
    result = wallet_expiry(shop, wallet, shop_today(shop, now), months)
    if result.points <= 0 or result.expires_on is None:
        return None
    return result.points, result.expires_on


def expire_shop(shop: Shop, now: datetime | None = None) -> int:
    """Write the expiry entries due in ``shop`` today; returns how many. Commits per wallet."""
    months = program_settings(shop).points_expiry_months
    if months is None:
        return 0
    today = shop_today(shop, now)
    # A wallet can only be due when its last activity is more than N months back: a cheap
    # pre-filter (one day of slack for month-end clamping); the rule decides exactly.
    cutoff_day = add_months(today, -months) + timedelta(days=1)
    cutoff = datetime.combine(cutoff_day, time(0), tzinfo=shop_zone(shop)).astimezone(UTC)
    candidates = list(
        db.session.execute(
            select(Wallet.member_id).where(
                Wallet.shop_id == shop.id,
                Wallet.balance > 0,
                or_(Wallet.last_activity_at.is_(None), Wallet.last_activity_at < cutoff),
            )
        ).scalars()
    )
    db.session.rollback()
    written = 0
    for member_id in candidates:
        try:
            with unit_of_work():
                wallet = ledger.lock_wallet(shop.id, member_id)
                result = wallet_expiry(shop, wallet, today, months)
                if (
                    result.points > 0
                    and result.expires_on is not None
                    and today > result.expires_on
                ):
                    lapsed = min(result.points, wallet.balance)
                    if lapsed > 0 and ledger.post_entry(
                        shop_id=shop.id,
                        member_id=member_id,
                        delta=-lapsed,
                        kind=EntryKind.EXPIRY,
                        cause_key=f"expiry:{member_id}:{result.expires_on.isoformat()}",
                        note=f"unused since {add_months(result.expires_on, -months).isoformat()}",
                    ):
                        written += 1
        except Exception:
            log.exception("points expiry for member %s in %s failed", member_id, shop.domain)
    return written


def expire_points() -> int:
    """Every installed shop with expiry turned on; cheap when nothing is due."""
    shops = list(
        db.session.execute(
            select(Shop).where(Shop.uninstalled_at.is_(None)).order_by(Shop.id)
        ).scalars()
    )
    total = 0
    for shop in shops:
        if program_settings(shop).points_expiry_months is not None:
            total += expire_shop(shop)
    return total
