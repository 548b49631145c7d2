"""Returns, repairs, exchanges and the refund clock (POLICY.md section 6, from the German store's
policy, applied to all stores).

Decisions where the policy is silent:
- The 30-day window counts from the delivery day: day 30 (delivery + 30 days) is still inside.
- After day 30 only a fault gives a remedy; a working product that the customer no longer wants is
  "none", with the trade-in program as the way forward.
- Nothing can be judged before delivery (an order cannot be cancelled once shipped, section 6), so
  an undelivered order answers "none" with reason ``not_delivered``.
- During the standard warranty, activated members get a same-model replacement (the German policy
  prefers it), everyone else a repair.
- Whether the product's one extended-period replacement is still unused is checked by
  ``warranty.replacement_available``; this verdict only says which remedy the period allows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from plugin.program.calendar import add_working_days
from plugin.program.regions import free_replacement_shipping

RETURN_WINDOW_DAYS = 30
REFUND_WORKING_DAYS = 5


class ReturnOutcome(StrEnum):
    REFUND = "refund"
    REPAIR = "repair"
    REPLACEMENT = "replacement"
    EXCHANGE = "exchange"
    NONE = "none"


class ShippingPaidBy(StrEnum):
    CUSTOMER = "customer"
    TESMART = "tesmart"


class ReturnReason(StrEnum):
    REFUND_WITHIN_30_DAYS = "refund_within_30_days"
    REPAIR_UNDER_STANDARD_WARRANTY = "repair_under_standard_warranty"
    REPLACEMENT_UNDER_STANDARD_WARRANTY = "replacement_under_standard_warranty"
    EXCHANGE_UNDER_EXTENDED_WARRANTY = "exchange_under_extended_warranty"
    RETURN_WINDOW_CLOSED = "return_window_closed"
    STANDARD_WARRANTY_ENDED = "standard_warranty_ended"
    EXTENDED_WARRANTY_ENDED = "extended_warranty_ended"
    THIRD_PARTY_SELLER = "third_party_seller"
    MISUSE = "misuse"
    NOT_DELIVERED = "not_delivered"


@dataclass(frozen=True)
class ReturnVerdict:
    outcome: ReturnOutcome
    return_shipping_paid_by: ShippingPaidBy
    reason_code: str
    reason_params: dict[str, str] = field(default_factory=dict)


def _none(reason: ReturnReason, **params: str) -> ReturnVerdict:
    return ReturnVerdict(ReturnOutcome.NONE, ShippingPaidBy.CUSTOMER, reason, params)


def check_return(
    *,
    delivered_on: date | None,
    today: date,
    delivery_country: str | None,
    faulty: bool,
    member_activated: bool,
    extended_warranty_end: date | None,
    standard_warranty_end: date,
    third_party_seller: bool = False,
    misuse: bool = False,
    return_window_days: int = RETURN_WINDOW_DAYS,
) -> ReturnVerdict:
    """What a customer asking on ``today`` can get for a product delivered on ``delivered_on``.

    ``return_window_days`` is the store's refund window (30 by default, section 6).
    """
    if third_party_seller:
        return _none(ReturnReason.THIRD_PARTY_SELLER)
    if misuse:
        return _none(ReturnReason.MISUSE)
    if delivered_on is None or today < delivered_on:
        return _none(ReturnReason.NOT_DELIVERED)

    window_end = delivered_on + timedelta(days=return_window_days)
    if today <= window_end:
        # The customer pays the return unless the product is faulty, in every region.
        payer = ShippingPaidBy.TESMART if faulty else ShippingPaidBy.CUSTOMER
        return ReturnVerdict(
            ReturnOutcome.REFUND,
            payer,
            ReturnReason.REFUND_WITHIN_30_DAYS,
            {"refund_window_end": window_end.isoformat()},
        )
    if not faulty:
        return _none(ReturnReason.RETURN_WINDOW_CLOSED, refund_window_end=window_end.isoformat())

    # Warranty work: TESmart pays shipping in the free-shipping regions only (section 1).
    payer = (
        ShippingPaidBy.TESMART
        if free_replacement_shipping(delivery_country)
        else ShippingPaidBy.CUSTOMER
    )
    if today <= standard_warranty_end:
        params = {"standard_warranty_end": standard_warranty_end.isoformat()}
        if member_activated:
            return ReturnVerdict(
                ReturnOutcome.REPLACEMENT,
                payer,
                ReturnReason.REPLACEMENT_UNDER_STANDARD_WARRANTY,
                params,
            )
        return ReturnVerdict(
            ReturnOutcome.REPAIR, payer, ReturnReason.REPAIR_UNDER_STANDARD_WARRANTY, params
        )
    if not member_activated or extended_warranty_end is None:
        return _none(
            ReturnReason.STANDARD_WARRANTY_ENDED,
            standard_warranty_end=standard_warranty_end.isoformat(),
        )
    if today <= extended_warranty_end:
        return ReturnVerdict(
            ReturnOutcome.EXCHANGE,
            payer,
            ReturnReason.EXCHANGE_UNDER_EXTENDED_WARRANTY,
            {"extended_warranty_end": extended_warranty_end.isoformat()},
        )
    return _none(
        ReturnReason.EXTENDED_WARRANTY_ENDED,
        extended_warranty_end=extended_warranty_end.isoformat(),
    )


def refund_due_by(received_on: date, holidays: frozenset[date] = frozenset()) -> date:
    """Last day for the refund: 5 working days after the warehouse received the return."""
    return add_working_days(received_on, REFUND_WORKING_DAYS, holidays)


def refund_is_late(
    received_on: date,
    refunded_on: date | None,
    today: date,
    holidays: frozenset[date] = frozenset(),
) -> bool:
    """A refund issued after its due day, or still missing once the due day has passed."""
    due = refund_due_by(received_on, holidays)
    if refunded_on is not None:
        return refunded_on > due
    return today > due
