"""The points summary (the dashboard's and the program results'): from the ledger with SQL
aggregates, never from the cached wallets, so they reconcile: issued − redeemed − expired − taken
back = outstanding, to the point."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import case, func, select

from plugin.extensions import db
from plugin.models import PointEntry, Reward, Shop, Wallet
from plugin.program.catalogue import RewardKind, RewardSpec, value_per_point
from plugin.program.entries import SummaryLine, summary_line
from plugin.program.money import quantize


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
    redeemed = -sum(k.net for k in by_kind if summary_line(k.kind) is SummaryLine.REDEEMED)
    expired = -sum(k.net for k in by_kind if summary_line(k.kind) is SummaryLine.EXPIRED)
    issued = sum(k.credited for k in by_kind if summary_line(k.kind) is SummaryLine.OTHER)
    taken_back = -sum(k.debited for k in by_kind if summary_line(k.kind) is SummaryLine.OTHER)
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
