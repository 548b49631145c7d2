"""Program results for the admin's home (issue 19): per store and per month, from the ledger and
the orders. Each figure's definition is ``DEFINITIONS[name]``, shown beside it, and
tests/admin/test_program_results.py recomputes every figure from the rows themselves.

Months are the store's calendar months (``plugin.clock``); every figure of a month is as of the
month's end (for the current month: as of now). Money is the shop's currency (shop money).
A handful of grouped statements serve all months at once: at 200,000 members the whole page is
one scan of the ledger and of the month's orders (docs/benchmarks.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import String, and_, case, cast, func, select

from plugin import clock
from plugin.database.transaction import unit_of_work
from plugin.extensions import db
from plugin.models import (
    AuditLog,
    Member,
    Order,
    PointEntry,
    ProgramMonth,
    Redemption,
    Shop,
    ShopCustomer,
    Wallet,
)
from plugin.program.calendar import add_months
from plugin.program.money import quantize
from plugin.reports.queries.points import shop_value_per_point

DEFINITIONS = {
    "members": "TESmart IDs with a customer account in this store, joined by the month's end.",
    "activation_rate": "Of those members, the share whose TESmart ID was activated by the month's "
    "end.",
    "redemption_rate": "Of the activated members, the share who redeemed points for a reward in "
    "the month (failed redemptions left out).",
    "code_revenue": "Paid orders of the month (not cancelled, not test) that used a reward or "
    "referral code of this program: their total less refunds, in shop money.",
    "repeat_members": "Of activated members who paid an order in the month, the share with at "
    "least two paid orders by the month's end.",
    "repeat_non_members": "The same share for customers without an activated TESmart ID.",
    "points_liability": "Points in positive balances at the month's end (negative balances count "
    "as 0), times the catalogue's best fixed-amount value per point.",
    "store_credit_outstanding": "Store credit paid for points by the month's end, less what was "
    "taken back or had expired by then. Spending at checkout is not visible to the app, so "
    "this is the most the store can still owe.",
}


@dataclass(frozen=True)
class MonthResults:
    month: date  # the first day, in the store's calendar
    members: int
    activated: int
    activation_rate: Decimal
    redeemers: int
    redemption_rate: Decimal
    code_revenue: Decimal
    repeat_members: Decimal
    repeat_non_members: Decimal
    points_outstanding: int
    points_liability: Decimal
    store_credit_outstanding: Decimal


def _rate(part: int, whole: int) -> Decimal:
    return (Decimal(part) / Decimal(whole) * 100).quantize(Decimal("0.1")) if whole else Decimal(0)


def month_bounds(
    shop: Shop, months: int, today: date | None = None
) -> list[tuple[date, datetime, datetime]]:
    """(first day, start instant, end instant) of the last ``months`` store months, oldest first;
    the current month ends now."""
    tz = clock.zone(shop.timezone, shop.region)
    today = today or clock.today(tz)
    first = today.replace(day=1)
    now = clock.now()
    bounds = []
    for back in range(months - 1, -1, -1):
        start_day = add_months(first, -back)
        start = datetime.combine(start_day, time(0), tzinfo=tz)
        end = min(datetime.combine(add_months(start_day, 1), time(0), tzinfo=tz), now)
        bounds.append((start_day, start, end))
    return bounds


def results(shop: Shop, months: int = 6) -> list[MonthResults]:
    """The last ``months`` store months: past months from ``program_months`` (computed and stored
    now when missing), the current month computed live."""
    bounds = month_bounds(shop, months)
    past, current = bounds[:-1], bounds[-1]
    stored = _stored(shop, [first for first, _, _ in past])
    missing = [b for b in past if b[0] not in stored]
    if missing:
        span = past[past.index(missing[0]) :]  # contiguous: one computation covers every gap
        with unit_of_work():
            for figures in compute(shop, span):
                if figures.month not in stored:
                    stored[figures.month] = figures
                    _store(shop, figures)
    return [stored[first] for first, _, _ in past] + compute(shop, [current], live=True)


def refresh_past_months(shop: Shop, months: int = 2) -> int:
    """Recompute and store the last ``months`` closed months (a late refund or a webhook that
    arrived after the month's end changes them); returns how many were written."""
    past = month_bounds(shop, months + 1)[:-1]
    figures = compute(shop, past)
    for row in figures:
        _store(shop, row)
    return len(figures)


def _stored(shop: Shop, months: list[date]) -> dict[date, MonthResults]:

    if not months:
        return {}
    rows = db.session.execute(
        select(ProgramMonth).where(ProgramMonth.shop_id == shop.id, ProgramMonth.month.in_(months))
    ).scalars()
    money = ("code_revenue", "points_liability", "store_credit_outstanding")

    def stored(row: ProgramMonth) -> MonthResults:
        # The row's columns by the dataclass's field names: typed by the fields, not here.
        values: dict[str, Any] = {
            f: quantize(Decimal(getattr(row, f)), shop.currency) if f in money else getattr(row, f)
            for f in MonthResults.__dataclass_fields__
        }
        return MonthResults(**values)

    return {row.month: stored(row) for row in rows}


def _store(shop: Shop, figures: MonthResults) -> None:

    row = db.session.execute(
        select(ProgramMonth).where(
            ProgramMonth.shop_id == shop.id, ProgramMonth.month == figures.month
        )
    ).scalar_one_or_none()
    if row is None:
        row = ProgramMonth(shop_id=shop.id, month=figures.month)
        db.session.add(row)
    for name in MonthResults.__dataclass_fields__:
        if name != "month":
            setattr(row, name, getattr(figures, name))
    row.computed_at = clock.now()
    db.session.flush()


def store_past_months() -> int:
    """Each shop's closed months, recomputed into ``program_months`` (idempotent)."""
    written = 0
    with unit_of_work():
        for shop in db.session.execute(select(Shop)).scalars():
            written += refresh_past_months(shop)
    return written


def compute(
    shop: Shop, bounds: list[tuple[date, datetime, datetime]], *, live: bool = False
) -> list[MonthResults]:
    """The figures of the contiguous months ``bounds`` (from ``month_bounds``), from the rows;
    ``live``: ``bounds`` is the current month alone, its points read from the wallets."""
    value = shop_value_per_point(shop)
    ends = [end for _, _, end in bounds]

    # Members and activations by each month's end: one statement over the store's members.
    joined = (
        select(ShopCustomer.member_id, func.min(ShopCustomer.created_at).label("joined"))
        .where(ShopCustomer.shop_id == shop.id, ShopCustomer.member_id.is_not(None))
        .group_by(ShopCustomer.member_id)
        .subquery()
    )
    counts = db.session.execute(
        select(
            *[
                func.coalesce(func.sum(case((joined.c.joined < end, 1), else_=0)), 0)
                for end in ends
            ],
            *[
                func.coalesce(
                    func.sum(
                        case((and_(joined.c.joined < end, Member.activated_at < end), 1), else_=0)
                    ),
                    0,
                )
                for end in ends
            ],
        )
        .select_from(joined)
        .join(Member, Member.id == joined.c.member_id)
    ).one()

    # The ledger at each month's end, in one scan: each member's balance per end, then positives.
    balances = (
        select(
            *[
                func.sum(case((PointEntry.created_at < end, PointEntry.delta), else_=0)).label(
                    f"b{i}"
                )
                for i, end in enumerate(ends)
            ]
        )
        .where(PointEntry.shop_id == shop.id)
        .group_by(PointEntry.member_id)
        .subquery()
    )
    if live:
        # The current month, as of now: the wallets hold the ledger's balances (no ledger scan).
        positive = db.session.execute(
            select(
                func.coalesce(func.sum(case((Wallet.balance > 0, Wallet.balance), else_=0)), 0)
            ).where(Wallet.shop_id == shop.id)
        ).one()
    else:
        positive = db.session.execute(
            select(*[func.coalesce(func.sum(case((c > 0, c), else_=0)), 0) for c in balances.c])
        ).one()

    start_all = bounds[0][1]
    redeemers = db.session.execute(
        select(
            *[
                func.count(
                    func.distinct(
                        case(
                            (
                                and_(Redemption.created_at >= start, Redemption.created_at < end),
                                Redemption.member_id,
                            )
                        )
                    )
                )
                for _, start, end in bounds
            ]
        ).where(
            Redemption.shop_id == shop.id,
            Redemption.purpose == "reward",
            Redemption.state != "failed",
            Redemption.created_at >= start_all,
        )
    ).one()

    program_codes = {
        code.upper()
        for (code,) in db.session.execute(
            select(Redemption.code).where(
                Redemption.shop_id == shop.id,
                Redemption.purpose.in_(("reward", "referral")),
                Redemption.code.is_not(None),
            )
        )
    }
    # Only orders that carry a discount code at all are read (the JSON list is not empty).
    orders = db.session.execute(
        select(
            Order.paid_at, Order.total_amount, Order.refunded_amount, Order.discount_codes
        ).where(
            Order.shop_id == shop.id,
            Order.paid_at >= start_all,
            Order.cancelled_at.is_(None),
            Order.test.is_(False),
            cast(Order.discount_codes, String) != "[]",
        )
    ).all()

    # Repeat purchases: per customer, orders in each month and up to each end, then counted.
    n = len(bounds)
    per_customer = (
        select(
            func.max(Member.activated_at).label("activated"),
            *[
                func.sum(
                    case((and_(Order.paid_at >= start, Order.paid_at < end), 1), else_=0)
                ).label(f"m{i}")
                for i, (_, start, end) in enumerate(bounds)
            ],
            *[
                func.sum(case((Order.paid_at < end, 1), else_=0)).label(f"e{i}")
                for i, end in enumerate(ends)
            ],
        )
        .outerjoin(Member, Member.id == Order.member_id)
        .where(
            Order.shop_id == shop.id,
            Order.customer_id.is_not(None),
            Order.paid_at.is_not(None),
            Order.cancelled_at.is_(None),
            Order.test.is_(False),
        )
        # Only customers who paid in the span (index orders(shop_id, paid_at)), then all their
        # orders up to the last end (index orders(shop_id, customer_id)).
        .where(
            Order.customer_id.in_(
                select(Order.customer_id).where(
                    Order.shop_id == shop.id,
                    Order.paid_at >= start_all,
                    Order.paid_at < ends[-1],
                )
            )
        )
        .group_by(Order.customer_id)
        .having(func.max(Order.paid_at) >= start_all)
        .subquery()
    )
    c = per_customer.c
    repeat_columns = []
    for i, end in enumerate(ends):
        member = and_(c.activated.is_not(None), c.activated < end)
        bought, again = c[f"m{i}"] > 0, c[f"e{i}"] >= 2
        for cond in (
            and_(bought, member),
            and_(bought, member, again),
            and_(bought, ~member),
            and_(bought, ~member, again),
        ):
            repeat_columns.append(func.coalesce(func.sum(case((cond, 1), else_=0)), 0))
    repeats = db.session.execute(select(*repeat_columns).select_from(per_customer)).one()

    credits = db.session.execute(
        select(
            Redemption.amount,
            Redemption.issued_at,
            Redemption.expires_at,
            Redemption.state,
            Redemption.error,
        ).where(
            Redemption.shop_id == shop.id,
            Redemption.kind == "store_credit",
            Redemption.credit_transaction_id.is_not(None),
        )
    ).all()
    taken_back = _claw_back_times(shop)

    out = []
    for i, (first, start, end) in enumerate(bounds):
        members, activated = int(counts[i]), int(counts[n + i])
        month_redeemers = int(redeemers[i])
        revenue = sum(
            (
                Decimal(total or 0) - Decimal(refunded or 0)
                for paid, total, refunded, codes in orders
                if start <= paid < end
                and any(str(code).upper() in program_codes for code in codes or [])
            ),
            Decimal(0),
        )
        bought_m, again_m, bought_n, again_n = (int(v) for v in repeats[4 * i : 4 * i + 4])
        rep = {True: [bought_m, again_m], False: [bought_n, again_n]}
        credit = sum(
            (
                Decimal(amount)
                for amount, issued, expires, _state, _error in credits
                if issued is not None
                and issued < end
                and not (expires is not None and expires <= end)
            ),
            Decimal(0),
        ) - sum((amt for at, amt in taken_back if at < end), Decimal(0))
        points = int(positive[i])
        out.append(
            MonthResults(
                month=first,
                members=members,
                activated=activated,
                activation_rate=_rate(activated, members),
                redeemers=month_redeemers,
                redemption_rate=_rate(month_redeemers, activated),
                code_revenue=quantize(revenue, shop.currency),
                repeat_members=_rate(rep[True][1], rep[True][0]),
                repeat_non_members=_rate(rep[False][1], rep[False][0]),
                points_outstanding=points,
                points_liability=quantize(Decimal(points) * value, shop.currency),
                store_credit_outstanding=quantize(max(credit, Decimal(0)), shop.currency),
            )
        )
    return out


def _claw_back_times(shop: Shop) -> list[tuple[datetime, Decimal]]:

    return [
        (at, Decimal(str((after or {}).get("amount") or 0)))
        for at, after in db.session.execute(
            select(AuditLog.created_at, AuditLog.after).where(
                AuditLog.shop_id == shop.id, AuditLog.action == "store_credit.claw_back"
            )
        ).all()
    ]


__all__ = [
    "DEFINITIONS",
    "MonthResults",
    "compute",
    "month_bounds",
    "refresh_past_months",
    "results",
    "store_past_months",
]
