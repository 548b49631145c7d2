"""The dashboard: member counts, the points summary, redemptions and referrals per day, trade-ins
and returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, case, func, literal, select

from plugin import clock
from plugin.extensions import db
from plugin.models import Member, Redemption, Referral, Shop
from plugin.reports.queries.benefits import return_counts, trade_ins_by_state
from plugin.reports.queries.points import points_summary
from plugin.reports.queries.shared import day_of, shop_member_ids
from plugin.shops.settings import program_settings


@dataclass(frozen=True)
class MemberCounts:
    total: int
    activated: int
    pending: int
    closed: int  # cancelled or revoked
    by_cohort: dict[str, int] = field(default_factory=dict)


def member_counts(shop: Shop) -> MemberCounts:
    cutoffs = program_settings(shop).cutoffs
    ids = shop_member_ids(shop.id)
    # POLICY.md 2: the cohort stored when it was fixed; rows from before it was stored, by their
    # UTC registration day (what the app computed for them then), cutoff days inclusive.
    legacy_end = datetime.combine(cutoffs.legacy_until + timedelta(days=1), time(0), tzinfo=UTC)
    april_end = datetime.combine(cutoffs.april_until + timedelta(days=1), time(0), tzinfo=UTC)
    active = and_(Member.activated_at.is_not(None), Member.state == "open")
    cohort = case(
        (~active, literal("none")),
        (Member.cohort.is_not(None), Member.cohort),
        (Member.registered_at < legacy_end, literal("legacy")),
        (Member.registered_at < april_end, literal("2025-04")),
        else_=literal("2025-11"),
    )
    rows = db.session.execute(
        select(cohort.label("cohort"), Member.state, Member.activated_at.is_not(None), func.count())
        .select_from(Member)
        .join(ids, ids.c.member_id == Member.id)
        .group_by(cohort, Member.state, Member.activated_at.is_not(None))
    ).all()
    by_cohort = {"legacy": 0, "2025-04": 0, "2025-11": 0}
    total = activated = pending = closed = 0
    for cohort_name, state, is_activated, count in rows:
        total += count
        if state != "open":
            closed += count
        elif is_activated:
            activated += count
            by_cohort[cohort_name] = by_cohort.get(cohort_name, 0) + count
        else:
            pending += count
    return MemberCounts(total, activated, pending, closed, by_cohort)


def daily_counts(
    column: Any, shop_id_column: Any, shop_id: int, since: date, *where: Any
) -> dict[date, int]:
    """Rows per store-local day from ``since`` (the store's own day, like the dashboard's today)."""
    shop = db.session.get(Shop, shop_id)
    zone = clock.shop_zone(shop) if shop is not None else None
    day = day_of(column, zone)
    since_at = (
        clock.start_of_day(since, zone)
        if zone is not None
        else datetime.combine(since, time(0), tzinfo=UTC)
    )
    stmt = (
        select(day, func.count())
        .where(shop_id_column == shop_id, column.is_not(None), column >= since_at, *where)
        .group_by(day)
    )
    counts: dict[date, int] = {}
    for raw_day, count in db.session.execute(stmt):
        parsed = raw_day if isinstance(raw_day, date) else date.fromisoformat(str(raw_day))
        counts[parsed] = int(count)
    return counts


def series(counts: dict[date, int], since: date, until: date) -> list[tuple[date, int]]:
    days = (until - since).days + 1
    return [
        (since + timedelta(days=i), counts.get(since + timedelta(days=i), 0)) for i in range(days)
    ]


def redemptions_per_day(shop_id: int, since: date, until: date) -> list[tuple[date, int]]:
    counts = daily_counts(
        Redemption.created_at,
        Redemption.shop_id,
        shop_id,
        since,
        Redemption.purpose == "reward",
        Redemption.state != "failed",
    )
    return series(counts, since, until)


def referral_conversions_per_day(shop_id: int, since: date, until: date) -> list[tuple[date, int]]:
    counts = daily_counts(Referral.rewarded_at, Referral.shop_id, shop_id, since)
    return series(counts, since, until)


def dashboard(shop: Shop, today: date, days: int = 30) -> dict[str, Any]:
    since = today - timedelta(days=days - 1)
    return {
        "members": member_counts(shop),
        "points": points_summary(shop),
        "redemptions": redemptions_per_day(shop.id, since, today),
        "referrals": referral_conversions_per_day(shop.id, since, today),
        "trade_ins": trade_ins_by_state(shop.id),
        "returns": return_counts(shop.id, today),
    }
