"""Ending a TESmart ID (POLICY.md 2): cancellation on the member's request, revocation for fraud.

Either way the unused points of each shop are forfeited by a ledger entry, unused reward codes are
disabled through the outbox, no compensation is due, and the merchant's action is audited. The ID
is one across the four shops, so its state changes everywhere; ``shop_or_all`` says in which
shops the points and codes are taken (a merchant acts on their own shop; an operator on all).
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import select

from plugin import clock, ledger
from plugin.database import audit
from plugin.database.transaction import unit_of_work
from plugin.extensions import db
from plugin.models import Member, Shop
from plugin.program.entries import EntryKind
from plugin.program.errors import Conflict
from plugin.program.membership import (
    ENDING_ACTIONS,
    MembershipState,
    end_refused,
    points_forfeited,
)
from plugin.rewards import tiers
from plugin.rewards.redemptions import disable_unused_codes

ALL: Literal["all"] = "all"


class MembershipError(Conflict, ValueError):
    """The action does not apply (an ID already ended, a missing reason)."""


def cancel_membership(
    shop_or_all: Shop | Literal["all"], member: Member, actor: str, reason: str
) -> dict[str, int]:
    """Cancel on request: {shop domain: points forfeited}. Commits."""
    return _end(shop_or_all, member, actor, reason, state=MembershipState.CANCELLED)


def revoke_membership(
    shop_or_all: Shop | Literal["all"], member: Member, actor: str, reason: str
) -> dict[str, int]:
    """Revoke for fraud or abuse: as a cancellation, recorded as a revocation. Commits."""
    return _end(shop_or_all, member, actor, reason, state=MembershipState.REVOKED)


def _shops(shop_or_all: Shop | Literal["all"]) -> list[Shop]:
    if isinstance(shop_or_all, Shop):
        return [shop_or_all]
    if shop_or_all != ALL:
        raise MembershipError("pass a shop or 'all'")
    return list(db.session.execute(select(Shop).order_by(Shop.id)).scalars())


@unit_of_work()
def _end(
    shop_or_all: Shop | Literal["all"],
    member: Member,
    actor: str,
    reason: str,
    *,
    state: MembershipState,
) -> dict[str, int]:
    reason = (reason or "").strip()
    if not reason:
        raise MembershipError("A reason is required.")
    shops = _shops(shop_or_all)
    locked = db.session.execute(
        select(Member)
        .where(Member.id == member.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    if end_refused(locked.state, state):
        raise MembershipError(f"This TESmart ID is already {locked.state}.")
    before = {"state": locked.state, "cancelled_at": locked.cancelled_at}
    forfeited: dict[str, int] = {}
    disabled: dict[str, int] = {}
    for shop in shops:
        # Codes first, then the wallet: the same lock order as the outbox job (redemption,
        # then wallet), so a refund running at the same moment cannot deadlock with this.
        disabled[shop.domain] = disable_unused_codes(
            shop, locked, actor, reason=f"membership_{state.value}"
        )
        tiers.end_perks(shop, locked.id)  # a VIP tier's free-shipping code ends with the ID
        wallet = ledger.lock_wallet(shop.id, locked.id)
        points = points_forfeited(wallet.balance)
        if points and ledger.post_entry(
            shop_id=shop.id,
            member_id=locked.id,
            delta=-points,
            kind=EntryKind.FORFEIT,
            cause_key=f"membership:{locked.id}:{state.value}",
            note=reason[:500],
            actor=actor,
        ):
            forfeited[shop.domain] = points
    locked.state = state.value
    locked.cancelled_at = locked.cancelled_at or clock.now()
    for shop in shops:
        audit.record(
            shop_id=shop.id,
            actor=actor,
            action=f"membership.{ENDING_ACTIONS[state]}",
            subject_type="member",
            subject_id=locked.id,
            before=before,
            after={
                "state": state.value,
                "reason": reason,
                "points_forfeited": forfeited.get(shop.domain, 0),
                "codes_disabled": disabled.get(shop.domain, 0),
            },
        )
    return forfeited
