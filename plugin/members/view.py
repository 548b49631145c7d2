"""A member across the four shops, as operators see it (CLI, admin)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from plugin.accounts import cohort_of, find_member_by_email, id_status
from plugin.extensions import db
from plugin.models import Member, Shop, Wallet


def member_summary(email: str) -> dict[str, Any] | None:
    member = find_member_by_email(email)
    if member is None:
        return None
    return summary_of(member)


def summary_of(member: Member) -> dict[str, Any]:
    cohort = cohort_of(member)
    wallets = db.session.execute(
        select(Shop.domain, Wallet.balance)
        .join(Shop, Shop.id == Wallet.shop_id)
        .where(Wallet.member_id == member.id)
        .order_by(Shop.id)
    ).all()
    return {
        "id": member.id,
        "email": member.email,
        "status": id_status(member),
        "cohort": cohort.value if cohort else None,
        "registered_at": member.registered_at.isoformat() if member.registered_at else None,
        "activated_at": member.activated_at.isoformat() if member.activated_at else None,
        "imported": member.imported,
        "state": member.state,
        "wallets": [{"shop": domain, "balance": balance} for domain, balance in wallets],
    }
