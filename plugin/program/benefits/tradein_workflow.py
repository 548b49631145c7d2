"""The trade-in workflow as a transition table (POLICY.md section 5, steps 1 to 6).

A recovery value (``2025-11``) travels with the device: quoted → applied → approved (merchant) →
shipped (tracking number) → paid (once the parcel is in transit, step 4) → received → inspected
(value confirmed or adjusted) or revoked; approved but not shipped in time → expired (step 5).

A discount on a new device (``2025-04``, ``legacy``, and the no-ID discounts) keeps the device at
home: quoted → applied → approved → paid (a single-use percentage code is the payout).

Decisions where the policy is silent:
- The merchant may revoke (fraud, abuse, section 2) at any step before inspection; a recovery
  value already paid is then recorded as owed back, never debited automatically.
- A discount trade-in cannot be revoked once its code is issued: the code is the benefit.
- Payout failure (Shopify refused the credit or refund for good) steps back to the state before
  payment, so the merchant can pay again, possibly by another method.
"""

from __future__ import annotations

from enum import StrEnum

from plugin.program.policies import TradeInKind


class TradeInState(StrEnum):
    QUOTED = "quoted"
    APPLIED = "applied"
    APPROVED = "approved"
    SHIPPED = "shipped"
    PAID = "paid"
    RECEIVED = "received"
    INSPECTED = "inspected"
    REVOKED = "revoked"
    EXPIRED = "expired"


class TradeInAction(StrEnum):
    APPLY = "apply"
    APPROVE = "approve"
    SHIP = "ship"
    PAY = "pay"
    PAYOUT_FAILED = "payout_failed"
    RECEIVE = "receive"
    CONFIRM = "inspect_confirmed"
    ADJUST = "inspect_adjusted"
    REJECT = "inspect_revoked"
    REVOKE = "revoke"
    EXPIRE = "expire"


class PayoutMethod(StrEnum):
    STORE_CREDIT = "store_credit"
    REFUND = "refund"
    CODE = "code"


class TradeInTransitionError(ValueError):
    """A step the workflow does not allow from the trade-in's current state."""

    code = "invalid_transition"

    def __init__(self, kind: str, state: str, action: str, detail: str | None = None) -> None:
        self.kind, self.state, self.action = kind, state, action
        super().__init__(detail or f"a {kind} trade-in cannot {action} when it is {state}")


S, A = TradeInState, TradeInAction

RECOVERY_TRANSITIONS: dict[tuple[TradeInState, TradeInAction], TradeInState] = {
    (S.QUOTED, A.APPLY): S.APPLIED,
    (S.APPLIED, A.APPROVE): S.APPROVED,
    (S.APPROVED, A.SHIP): S.SHIPPED,
    (S.APPROVED, A.EXPIRE): S.EXPIRED,
    (S.SHIPPED, A.PAY): S.PAID,
    (S.PAID, A.PAYOUT_FAILED): S.SHIPPED,
    (S.PAID, A.RECEIVE): S.RECEIVED,
    (S.RECEIVED, A.CONFIRM): S.INSPECTED,
    (S.RECEIVED, A.ADJUST): S.INSPECTED,
    (S.RECEIVED, A.REJECT): S.REVOKED,
    (S.APPLIED, A.REVOKE): S.REVOKED,
    (S.APPROVED, A.REVOKE): S.REVOKED,
    (S.SHIPPED, A.REVOKE): S.REVOKED,
    (S.PAID, A.REVOKE): S.REVOKED,
    (S.RECEIVED, A.REVOKE): S.REVOKED,
}

DISCOUNT_TRANSITIONS: dict[tuple[TradeInState, TradeInAction], TradeInState] = {
    (S.QUOTED, A.APPLY): S.APPLIED,
    (S.APPLIED, A.APPROVE): S.APPROVED,
    (S.APPROVED, A.PAY): S.PAID,
    (S.PAID, A.PAYOUT_FAILED): S.APPROVED,
    (S.APPLIED, A.REVOKE): S.REVOKED,
    (S.APPROVED, A.REVOKE): S.REVOKED,
}

TRANSITIONS: dict[TradeInKind, dict[tuple[TradeInState, TradeInAction], TradeInState]] = {
    TradeInKind.RECOVERY_VALUE: RECOVERY_TRANSITIONS,
    TradeInKind.DISCOUNT_ON_NEW: DISCOUNT_TRANSITIONS,
}

PAYOUT_METHODS: dict[TradeInKind, frozenset[PayoutMethod]] = {
    # Step 4: store credit, a partial refund of a recent order, or a credit on a new order.
    TradeInKind.RECOVERY_VALUE: frozenset(PayoutMethod),
    TradeInKind.DISCOUNT_ON_NEW: frozenset({PayoutMethod.CODE}),
}

# States in which a device has taken part in a trade-in: "once per device" and the legacy
# "warranty exchange or trade-in, not both" count these. A quote is not a trade-in yet, and an
# expired one was never shipped, so the device may try again.
TAKES_PART: frozenset[TradeInState] = frozenset(
    {S.APPLIED, S.APPROVED, S.SHIPPED, S.PAID, S.RECEIVED, S.INSPECTED, S.REVOKED}
)


def next_state(kind: str, state: str, action: str) -> TradeInState:
    """The state after ``action``; raises TradeInTransitionError when it is not allowed."""
    try:
        table = TRANSITIONS[TradeInKind(kind)]
        return table[(TradeInState(state), TradeInAction(action))]
    except (KeyError, ValueError):
        raise TradeInTransitionError(kind, state, action) from None


def allowed_actions(kind: str, state: str) -> frozenset[TradeInAction]:
    """What can happen next (for the merchant's buttons)."""
    table = TRANSITIONS.get(TradeInKind(kind), {})
    return frozenset(action for (source, action) in table if source == state)


def check_payout_method(kind: str, method: str) -> PayoutMethod:
    try:
        chosen = PayoutMethod(method)
    except ValueError:
        raise TradeInTransitionError(kind, "", "pay", f"unknown payout method {method!r}") from None
    if chosen not in PAYOUT_METHODS.get(TradeInKind(kind), frozenset()):
        raise TradeInTransitionError(
            kind, "", "pay", f"a {kind} trade-in cannot be paid by {method}"
        )
    return chosen
