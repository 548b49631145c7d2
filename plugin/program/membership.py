"""Ending a TESmart ID (POLICY.md section 2): cancellation on request, revocation for fraud.

A cancellation takes everything: every unused point of each store's wallet is forfeited (a
negative balance is not collected: there is no compensation either way), the unused reward codes
are disabled, and the ID ends in all four stores. A revocation does the same and is recorded as
one. A revoked ID is final; a cancelled one can still be revoked (fraud found later), never
cancelled twice.
"""

from __future__ import annotations

from enum import StrEnum


class MembershipState(StrEnum):
    OPEN = "open"
    CANCELLED = "cancelled"
    REVOKED = "revoked"


# The codes an ended membership loses, by purpose. A trade-in code is the price of a device the
# member already sent in: it is owed, not a benefit, so it stays.
FORFEITED_PURPOSES: tuple[str, ...] = ("reward", "referral", "ctrl_f")

# The merchant's action that ends the ID in each ending state (the audit line's name).
ENDING_ACTIONS: dict[MembershipState, str] = {
    MembershipState.CANCELLED: "cancel",
    MembershipState.REVOKED: "revoke",
}


def points_forfeited(balance: int) -> int:
    """What an ending takes from a wallet: all of a positive balance, none of a negative one."""
    return max(balance, 0)


def end_refused(current: str, ending: MembershipState) -> bool:
    """Whether an ID that is ``current`` cannot be ended as ``ending`` (already ended so)."""
    return current == MembershipState.REVOKED or (current == ending == MembershipState.CANCELLED)
