"""What the merchant's admin reads: dashboard numbers and lists, each query filtered by its shop.

The points figures come from the ledger with SQL aggregates (never from the cached wallets), so
they reconcile: issued − redeemed − expired − taken back = outstanding, to the point.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Select, and_, case, cast, func, literal, or_, select, union
from sqlalchemy.sql.elements import ColumnElement

from plugin import clock
from plugin.extensions import db
from plugin.models import (
    AuditLog,
    Member,
    PointEntry,
    Redemption,
    Referral,
    ReturnRequest,
    Reward,
    Shop,
    ShopCustomer,
    TradeIn,
    Wallet,
    WarrantyClaim,
)
from plugin.program.catalogue import RewardKind, RewardSpec, value_per_point
from plugin.program.money import quantize
from plugin.shops.settings import program_settings

TRADE_IN_STATES = (
    "quoted",
    "applied",
    "approved",
    "shipped",
    "paid",
    "received",
    "inspected",
    "revoked",
    "expired",
)
# Return requests in these states need nothing more from the merchant.
RETURN_CLOSED_STATES = (
    "refunded",
    "closed",
    "refused",
    "rejected",
    "cancelled",
    "completed",
    "resolved",
)
WARRANTY_CLOSED_STATES = ("closed", "refused")


def day_of(column: Any, zone: ZoneInfo | None = None) -> ColumnElement[Any]:
    """The calendar day of a timestamp column in ``zone`` (the store's, POLICY.md 1; UTC by
    default). PostgreSQL converts each row with the zone's own rules; SQLite, which stores UTC and
    knows no zones, shifts by the zone's offset now (exact except across a DST change)."""
    name = zone.key if zone is not None else "UTC"
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone(name, column), Date)
    offset = clock.now().astimezone(zone).utcoffset() if zone is not None else None
    minutes = int(offset.total_seconds() // 60) if offset else 0
    return func.date(column, f"{minutes:+d} minutes") if minutes else func.date(column)


def shop_member_ids(shop_id: int) -> Any:
    """The members this shop knows: a customer of the shop, or a wallet in it."""
    return union(
        select(ShopCustomer.member_id.label("member_id")).where(
            ShopCustomer.shop_id == shop_id, ShopCustomer.member_id.is_not(None)
        ),
        select(Wallet.member_id.label("member_id")).where(Wallet.shop_id == shop_id),
    ).subquery()


# --- the points ----------------------------------------------------------------------------


def kind_group(kind: str) -> str:
    """Which line of the points summary a ledger kind belongs to."""
    if kind.startswith("redemption") or kind.startswith("redeem"):
        return "redeemed"
    if kind.startswith("expir"):
        return "expired"
    return "other"


@dataclass(frozen=True)
class KindTotal:
    kind: str
    entries: int
    credited: int  # sum of the positive entries
    debited: int  # sum of the negative entries (a negative number)

    @property
    def net(self) -> int:
        return self.credited + self.debited


@dataclass(frozen=True)
class PointsSummary:
    by_kind: list[KindTotal]
    issued: int
    redeemed: int
    expired: int
    taken_back: int  # clawbacks, forfeits, negative adjustments
    outstanding: int  # the sum of every entry of the shop
    positive_balances: int  # the sum of the balances above zero: what members could still redeem
    members_in_debt: int
    value_per_point: Decimal
    liability: Decimal
    currency: str


def points_by_kind(shop_id: int) -> list[KindTotal]:
    stmt = (
        select(
            PointEntry.kind,
            func.count(),
            func.coalesce(func.sum(case((PointEntry.delta > 0, PointEntry.delta), else_=0)), 0),
            func.coalesce(func.sum(case((PointEntry.delta < 0, PointEntry.delta), else_=0)), 0),
        )
        .where(PointEntry.shop_id == shop_id)
        .group_by(PointEntry.kind)
        .order_by(PointEntry.kind)
    )
    return [KindTotal(k, int(n), int(c), int(d)) for k, n, c, d in db.session.execute(stmt)]


def shop_value_per_point(shop: Shop) -> Decimal:
    """The catalogue's value per point: the best fixed-amount rate of the active rewards."""
    rewards = db.session.execute(
        select(Reward).where(Reward.shop_id == shop.id, Reward.active.is_(True))
    ).scalars()
    specs = []
    for reward in rewards:
        try:
            specs.append(
                RewardSpec(
                    f"reward-{reward.id}",
                    reward.points,
                    RewardKind(reward.kind),
                    amount=reward.amount,
                    percentage=reward.percentage,
                )
            )
        except ValueError:  # a malformed row is not a rate a member can redeem at
            continue
    return value_per_point(specs)


def points_summary(shop: Shop) -> PointsSummary:
    by_kind = points_by_kind(shop.id)
    redeemed = -sum(k.net for k in by_kind if kind_group(k.kind) == "redeemed")
    expired = -sum(k.net for k in by_kind if kind_group(k.kind) == "expired")
    issued = sum(k.credited for k in by_kind if kind_group(k.kind) == "other")
    taken_back = -sum(k.debited for k in by_kind if kind_group(k.kind) == "other")
    outstanding = sum(k.net for k in by_kind)

    # The wallets hold each member's ledger balance (ledger.post_entry keeps them in step): one
    # row per member instead of a group over every entry of the store.
    positive, in_debt = db.session.execute(
        select(
            func.coalesce(func.sum(case((Wallet.balance > 0, Wallet.balance), else_=0)), 0),
            func.coalesce(func.sum(case((Wallet.balance < 0, 1), else_=0)), 0),
        ).where(Wallet.shop_id == shop.id)
    ).one()
    rate = shop_value_per_point(shop)
    return PointsSummary(
        by_kind=by_kind,
        issued=issued,
        redeemed=redeemed,
        expired=expired,
        taken_back=taken_back,
        outstanding=outstanding,
        positive_balances=int(positive),
        members_in_debt=int(in_debt),
        value_per_point=rate,
        # Negative balances are not money the members owe: only positive ones are a liability.
        liability=quantize(Decimal(int(positive)) * rate, shop.currency),
        currency=shop.currency,
    )


# --- the members ---------------------------------------------------------------------------


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


@dataclass(frozen=True)
class MemberRow:
    member: Member
    name: str
    customer_id: str | None
    balance: int


def shop_members(shop_id: int) -> tuple[Select[Any], Any]:
    """Members of one shop with their customer's id and name and their balance there; the
    customer subquery is returned too, for filters on name or email. One query for the admin's
    list and the CSV export."""
    ids = shop_member_ids(shop_id)
    customer = (
        select(
            ShopCustomer.member_id,
            func.max(ShopCustomer.customer_id).label("customer_id"),
            func.max(ShopCustomer.first_name).label("first_name"),
            func.max(ShopCustomer.last_name).label("last_name"),
            func.max(ShopCustomer.email).label("email"),
        )
        .where(ShopCustomer.shop_id == shop_id)
        .group_by(ShopCustomer.member_id)
        .subquery()
    )
    balance = (
        select(PointEntry.member_id, func.sum(PointEntry.delta).label("balance"))
        .where(PointEntry.shop_id == shop_id)
        .group_by(PointEntry.member_id)
        .subquery()
    )
    stmt = (
        select(
            Member,
            customer.c.customer_id,
            customer.c.first_name,
            customer.c.last_name,
            balance.c.balance,
        )
        .join(ids, ids.c.member_id == Member.id)
        .outerjoin(customer, customer.c.member_id == Member.id)
        .outerjoin(balance, balance.c.member_id == Member.id)
    )
    return stmt, customer


def search_members(shop_id: int, query: str, limit: int = 50, offset: int = 0) -> list[MemberRow]:
    """Members of the shop whose email or name contains ``query`` (all, newest first, if empty)."""
    stmt, customer = shop_members(shop_id)
    stmt = stmt.order_by(Member.id.desc()).limit(limit).offset(offset)
    query = (query or "").strip()
    if query:
        words = [w for w in query.lower().split() if w][:5]
        for word in words:
            like = f"%{_escape_like(word)}%"
            stmt = stmt.where(
                or_(
                    func.lower(func.coalesce(Member.email, "")).like(like, escape="\\"),
                    func.lower(func.coalesce(customer.c.email, "")).like(like, escape="\\"),
                    func.lower(func.coalesce(customer.c.first_name, "")).like(like, escape="\\"),
                    func.lower(func.coalesce(customer.c.last_name, "")).like(like, escape="\\"),
                )
            )
    return [
        MemberRow(member, " ".join(p for p in (first, last) if p), customer_id, int(bal or 0))
        for member, customer_id, first, last, bal in db.session.execute(stmt)
    ]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def member_of_shop(shop_id: int, member_id: int) -> Member | None:
    """The member, only if this shop knows them (a customer or a wallet here)."""
    ids = shop_member_ids(shop_id)
    stmt = select(Member).join(ids, ids.c.member_id == Member.id).where(Member.id == member_id)
    return db.session.execute(stmt).scalar_one_or_none()


def member_customers(shop_id: int, member_id: int) -> list[ShopCustomer]:
    stmt = select(ShopCustomer).where(
        ShopCustomer.shop_id == shop_id, ShopCustomer.member_id == member_id
    )
    return list(db.session.execute(stmt).scalars())


def wallets_of(member_id: int, shop_ids: Iterable[int]) -> list[tuple[Shop, int]]:
    """The member's balance, from the ledger, in each of ``shop_ids`` that has a wallet."""
    shop_ids = list(shop_ids)
    if not shop_ids:
        return []
    stmt = (
        select(Shop, func.coalesce(func.sum(PointEntry.delta), 0))
        .join(Wallet, Wallet.shop_id == Shop.id)
        .outerjoin(
            PointEntry,
            and_(PointEntry.shop_id == Shop.id, PointEntry.member_id == Wallet.member_id),
        )
        .where(Wallet.member_id == member_id, Shop.id.in_(shop_ids))
        .group_by(Shop.id)
        .order_by(Shop.id)
    )
    return [(shop, int(total)) for shop, total in db.session.execute(stmt)]


def ledger_of(shop_id: int, member_id: int, limit: int = 200) -> tuple[list[PointEntry], int]:
    """The member's newest ledger entries in the shop, and how many there are in all."""
    where = (PointEntry.shop_id == shop_id, PointEntry.member_id == member_id)
    rows = db.session.execute(
        select(PointEntry)
        .where(*where)
        .order_by(PointEntry.created_at.desc(), PointEntry.id.desc())
        .limit(limit)
    ).scalars()
    count = db.session.execute(select(func.count()).select_from(PointEntry).where(*where)).scalar()
    return list(rows), int(count or 0)


def rows_of(
    model: Any, shop_id: int, *where: Any, order: Any = None, limit: int = 200
) -> list[Any]:
    """Rows of a shop-scoped model (the shop filter is not optional)."""
    stmt = select(model).where(model.shop_id == shop_id, *where)
    stmt = stmt.order_by(order if order is not None else model.id.desc()).limit(limit)
    return list(db.session.execute(stmt).scalars())


# --- over time -----------------------------------------------------------------------------


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


# --- benefits ------------------------------------------------------------------------------


def trade_ins_by_state(shop_id: int) -> dict[str, int]:
    stmt = (
        select(TradeIn.state, func.count())
        .where(TradeIn.shop_id == shop_id)
        .group_by(TradeIn.state)
    )
    found = {state: int(n) for state, n in db.session.execute(stmt)}
    ordered = {state: found.pop(state, 0) for state in TRADE_IN_STATES}
    return {**ordered, **found}


@dataclass(frozen=True)
class ReturnCounts:
    awaiting: int
    late_refunds: int
    refunded_late: int
    open_warranty_claims: int


def return_counts(shop_id: int, today: date) -> ReturnCounts:
    awaiting = db.session.execute(
        select(func.count())
        .select_from(ReturnRequest)
        .where(ReturnRequest.shop_id == shop_id, ReturnRequest.state.not_in(RETURN_CLOSED_STATES))
    ).scalar()
    late = db.session.execute(
        select(func.count()).select_from(ReturnRequest).where(*late_refund_filter(shop_id, today))
    ).scalar()
    refunded_late = db.session.execute(
        select(func.count())
        .select_from(ReturnRequest)
        .where(
            ReturnRequest.shop_id == shop_id,
            ReturnRequest.refunded_on.is_not(None),
            ReturnRequest.refund_due_on.is_not(None),
            ReturnRequest.refunded_on > ReturnRequest.refund_due_on,
        )
    ).scalar()
    claims = db.session.execute(
        select(func.count())
        .select_from(WarrantyClaim)
        .where(WarrantyClaim.shop_id == shop_id, WarrantyClaim.state.not_in(WARRANTY_CLOSED_STATES))
    ).scalar()
    return ReturnCounts(
        int(awaiting or 0), int(late or 0), int(refunded_late or 0), int(claims or 0)
    )


def late_refund_filter(shop_id: int, today: date) -> tuple[Any, ...]:
    """POLICY.md 6: refunded within 5 working days of receipt; still unrefunded past the due day."""
    return (
        ReturnRequest.shop_id == shop_id,
        ReturnRequest.refunded_on.is_(None),
        ReturnRequest.refund_due_on.is_not(None),
        ReturnRequest.refund_due_on < today,
    )


def audit_rows(
    shop_id: int,
    *,
    subject_type: str | None = None,
    subject_id: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[AuditLog]:
    stmt = select(AuditLog).where(AuditLog.shop_id == shop_id)
    if subject_type:
        stmt = stmt.where(AuditLog.subject_type == subject_type)
    if subject_id:
        stmt = stmt.where(AuditLog.subject_id == subject_id)
    stmt = stmt.order_by(AuditLog.created_at.desc(), AuditLog.id.desc()).limit(limit).offset(offset)
    return list(db.session.execute(stmt).scalars())


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
