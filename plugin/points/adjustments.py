"""Merchant actions on a member's points and TESmart ID: manual adjustment, activation.

A manual adjustment is a ledger entry like any other (kind ``adjustment``) whose cause key is an
id the server generated when it rendered the form, so a double-submitted form writes one entry.
The reason is required: it is the entry's note and part of the audit row.
"""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select

from plugin import clock, ledger
from plugin.accounts import activate
from plugin.database import audit
from plugin.database.transaction import unit_of_work
from plugin.extensions import db
from plugin.models import Member, PointEntry, Shop
from plugin.program.entries import EntryKind
from plugin.program.errors import Refused
from plugin.shops.settings import program_settings

MAX_ADJUSTMENT = 1_000_000
ADJUSTMENT_ID = re.compile(r"^[0-9a-f]{32}$")


class AdjustmentError(Refused, ValueError):
    """The adjustment is refused; the message is shown to the merchant."""

    code = "adjustment_refused"


class ConfirmationNeeded(AdjustmentError):
    """An adjustment beyond the store's threshold: the merchant confirms it, having seen the
    balance before and after."""

    def __init__(self, delta: int, balance: int, threshold: int) -> None:
        super().__init__(
            f"An adjustment of more than {threshold:,} points needs your confirmation."
        )
        self.delta, self.balance, self.after, self.threshold = (
            delta,
            balance,
            balance + delta,
            threshold,
        )


def new_adjustment_id() -> str:
    return uuid.uuid4().hex


@unit_of_work()
def adjust_points(
    shop: Shop,
    member: Member,
    *,
    delta: int,
    reason: str,
    actor: str,
    adjustment_id: str | None = None,
    confirmed: bool = False,
) -> PointEntry:
    """Add ``delta`` points (negative to deduct) to the member's wallet in ``shop``, audited.

    Beyond the store's threshold (default ±5,000) it raises ``ConfirmationNeeded`` unless
    ``confirmed``: a typo of -100000 must not empty a wallet with one click.
    Returns the ledger entry; when ``adjustment_id`` was already used, the entry it wrote.
    Its own unit of work: commits, or rolls back what it began when it refuses.
    """
    reason = (reason or "").strip()
    if not reason:
        raise AdjustmentError("A reason is required for a manual adjustment.")
    if len(reason) > 500:
        raise AdjustmentError("Keep the reason under 500 characters.")
    if isinstance(delta, bool) or not isinstance(delta, int):
        raise AdjustmentError("Points must be a whole number.")
    if delta == 0:
        raise AdjustmentError("An adjustment of 0 points changes nothing.")
    if abs(delta) > MAX_ADJUSTMENT:
        raise AdjustmentError(f"An adjustment is at most {MAX_ADJUSTMENT:,} points.")
    adjustment_id = adjustment_id or new_adjustment_id()
    if not ADJUSTMENT_ID.match(adjustment_id):
        raise AdjustmentError("The form is out of date: reload the page and try again.")
    cause_key = f"adjustment:{adjustment_id}"

    wallet = ledger.lock_wallet(shop.id, member.id)  # one adjustment at a time per wallet
    before = wallet.balance
    threshold = program_settings(shop).adjustment_confirm_threshold
    if abs(delta) > threshold and not confirmed:
        raise ConfirmationNeeded(delta, before, threshold)
    entry_id = ledger.post_entry(
        shop_id=shop.id,
        member_id=member.id,
        delta=delta,
        kind=EntryKind.ADJUSTMENT,
        cause_key=cause_key,
        note=reason,
        actor=actor,
    )
    if entry_id is not None:
        audit.record(
            shop_id=shop.id,
            actor=actor,
            action="points.adjust",
            subject_type="member",
            subject_id=member.id,
            before={"balance": before},
            after={
                "balance": before + delta,
                "delta": delta,
                "reason": reason,
                "entry_id": entry_id,
                **({"confirmed_above": threshold} if abs(delta) > threshold else {}),
            },
        )
    return db.session.execute(
        select(PointEntry).where(PointEntry.shop_id == shop.id, PointEntry.cause_key == cause_key)
    ).scalar_one()


@unit_of_work()
def activate_member(shop: Shop, member: Member, *, actor: str) -> bool:
    """Activate the TESmart ID by hand (POLICY.md 2: a merchant may); False when it already was."""
    if member.state != "open":
        raise AdjustmentError("A cancelled or revoked membership cannot be activated.")
    before = {"activated_at": member.activated_at, "registered_at": member.registered_at}
    changed = activate(member, clock.now(), "merchant", shop=shop)
    if changed:
        audit.record(
            shop_id=shop.id,
            actor=actor,
            action="member.activate",
            subject_type="member",
            subject_id=member.id,
            before=before,
            after={"activated_at": member.activated_at, "registered_at": member.registered_at},
        )
    return changed
