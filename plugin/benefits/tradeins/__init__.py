"""Trade-ins: quotes, applications and the merchant's workflow (POLICY.md section 5).

Every public function is one unit of work: it locks the trade-in row, checks the step against the
pure table in ``plugin.program.benefits.tradein_workflow``, writes a ``TradeInEvent`` and an
``AuditLog`` row, writes any payout to the outbox in the same transaction, and commits. A payout
therefore happens once: the row lock and the table let only one ``pay`` through, and the outbox item
(one idempotency key per payout attempt) performs it at most once (``plugin.effects.store_credit``
and ``plugin.effects.refund``; codes go through ``redemptions.issue_coupon``).

Decisions where the policy is silent:
- A quote is valid for 7 days and only while the program still gives the same answer; applying
  re-checks everything under the device's row lock.
- Only quotes with something to apply for (a recovery value or a discount) get a ``quote_id``;
  free recycling needs no application.
- ``pay`` may add a shipping refund to a recovery value (step 3: "refunded with the value"). After
  inspection a higher value is topped up through the same payout method; a lower value, or a
  revocation after payment, is recorded as owed back for the merchant to settle.
- The payout goes to the customer who bought the device (its order's customer), or else to the
  member's customer in this shop.

The package: ``quotes`` (the member's side), ``workflow`` (the merchant's steps), ``payouts`` (the
payout through the outbox and its result), ``trail`` (the row lock, the step checked against the
table, the event and audit rows), ``forms`` (what the merchant types) and ``errors``. Callers use
``from plugin.benefits import tradeins; tradeins.approve(...)``.
"""

from __future__ import annotations

from plugin.benefits.tradeins.errors import (
    AlreadyApplied,
    InvalidTradeInInput,
    PayoutUnavailable,
    QuoteExpired,
    SerialMismatch,
    SerialRequired,
    TradeInNotFound,
    TradeInTransitionError,
    TradeInUnavailable,
    ValueAbovePrice,
    ValueAboveQuote,
)
from plugin.benefits.tradeins.payouts import (
    ORDER_OUT_OF_SIGHT,
    REFUND,
    STORE_CREDIT,
    pay,
    payout_confirmed,
    payout_failed,
)
from plugin.benefits.tradeins.quotes import (
    apply,
    member_trade_ins,
    quote,
    quote_breakdown,
    quote_view,
    trade_in_view,
)
from plugin.benefits.tradeins.workflow import (
    approve,
    expire_unshipped,
    inspect,
    mark_received,
    mark_shipped,
    revoke,
    value_bounds,
)
from plugin.program.benefits.tradein_workflow import PayoutMethod

__all__ = [
    "ORDER_OUT_OF_SIGHT",
    "REFUND",
    "STORE_CREDIT",
    "AlreadyApplied",
    "InvalidTradeInInput",
    "PayoutMethod",
    "PayoutUnavailable",
    "QuoteExpired",
    "SerialMismatch",
    "SerialRequired",
    "TradeInNotFound",
    "TradeInTransitionError",
    "TradeInUnavailable",
    "ValueAbovePrice",
    "ValueAboveQuote",
    "apply",
    "approve",
    "expire_unshipped",
    "inspect",
    "mark_received",
    "mark_shipped",
    "member_trade_ins",
    "pay",
    "payout_confirmed",
    "payout_failed",
    "quote",
    "quote_breakdown",
    "quote_view",
    "revoke",
    "trade_in_view",
    "value_bounds",
]
