"""The members page: the shop's members searched and listed, one member's customers, wallets and
ledger."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, func, or_, select

from plugin.extensions import db
from plugin.models import Member, PointEntry, Shop, ShopCustomer, Wallet
from plugin.reports.queries.shared import shop_member_ids


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
            like = f"%{escape_like(word)}%"
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


def escape_like(text: str) -> str:
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
