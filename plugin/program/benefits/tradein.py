"""Trade-in and recycling quotes (POLICY.md section 5).

One entry point, ``quote_trade_in``, answers "what does this customer get for this device today?"
for every version: the cohort's ``TradeInRule`` from ``policies.POLICIES`` for members, the
``NO_ID_TRADE_INS`` row in force for customers without an activated ID.

Decisions where the policy is silent:
- A device that does not work or is severely damaged (``2025-11``) gets ``kind="recycle_only"``
  with ``eligible=True``: free recycling is offered, it just carries no value (``value=None``).
  The same holds for devices older than the last band and for customers without an ID from
  2025-11-01. ``eligible=False`` always comes with ``kind="none"``.
- The recovery value is computed from the base value rounded to the currency's minor unit, so the
  figures a shopper sees (base 64.50, minus 30%, 45.15) add up.
- Checks run from the permanent to the temporary (region, category, the device's history, then
  the waiting period), so "too early" is only said when waiting will actually help. For customers
  without an ID, a device that comes of age only after the discount offer has ended gets
  ``no_discount_without_id`` instead of a date that would promise a discount.
- ``reason_params`` hold strings only (dates in ISO form), so a quote can go to JSON unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from plugin.program.calendar import add_months
from plugin.program.cohorts import DEFAULT_CUTOFFS, Cohort, CohortCutoffs, policy_in_force
from plugin.program.money import quantize
from plugin.program.policies import (
    NO_ID_TRADE_INS,
    POLICIES,
    TradeInKind,
    region_eligible,
)

HUNDRED = Decimal(100)
# Section 5, step 5: not shipped within 30 days (default) of approval → value revoked.
SHIP_WITHIN_DAYS = 30


class TradeInReason(StrEnum):
    RECOVERY_VALUE = "recovery_value"
    DISCOUNT_ON_NEW = "discount_on_new"
    DISCOUNT_WITHOUT_ID = "discount_on_new_without_id"
    TOO_OLD = "recycle_only_too_old"
    NOT_WORKING = "recycle_only_not_working"
    RECYCLING_WITHOUT_ID = "recycle_only_without_id"
    TOO_EARLY = "too_early"
    NO_DISCOUNT_WITHOUT_ID = "no_discount_without_id"
    CATEGORY_NOT_ELIGIBLE = "category_not_eligible"
    REGION_NOT_ELIGIBLE = "region_not_eligible"
    ALREADY_TRADED_IN = "already_traded_in"
    WARRANTY_EXCHANGE_USED = "warranty_exchange_used"


@dataclass(frozen=True)
class TradeInCondition:
    """The member's answers to the condition questions (section 5, step 1)."""

    cosmetic_wear: bool
    accessories_complete: bool
    original_packaging: bool  # False: damaged or missing
    working: bool
    severely_damaged: bool = False


@dataclass(frozen=True)
class TradeInDeductions:
    """Condition deductions in percent of the base value, added together; configurable per store."""

    cosmetic_wear: Decimal = Decimal("20")
    missing_accessories: Decimal = Decimal("15")
    packaging: Decimal = Decimal("10")

    def __post_init__(self) -> None:
        for share in (self.cosmetic_wear, self.missing_accessories, self.packaging):
            if not Decimal(0) <= share <= HUNDRED:
                raise ValueError(f"a deduction is a percentage from 0 to 100, not {share}")

    def percent_for(self, condition: TradeInCondition) -> Decimal:
        total = Decimal(0)
        if condition.cosmetic_wear:
            total += self.cosmetic_wear
        if not condition.accessories_complete:
            total += self.missing_accessories
        if not condition.original_packaging:
            total += self.packaging
        # A store may set large deductions; a value never goes below zero.
        return min(total, HUNDRED)


DEFAULT_DEDUCTIONS = TradeInDeductions()


@dataclass(frozen=True)
class TradeInQuote:
    cohort: str | None  # the member's cohort; None without an activated ID
    eligible: bool
    kind: TradeInKind
    percent: Decimal | None  # the band (recovery) or discount percent: Decimal("50") is 50%
    value: Decimal | None  # recovery value in ``currency``; None for discounts and recycling
    currency: str
    reason_code: str
    reason_params: dict[str, str] = field(default_factory=dict)
    base_value: Decimal | None = None  # recovery: band share of the amount paid, before deductions
    deduction_percent: Decimal | None = None  # recovery: condition deductions applied
    policy_version: str | None = None  # the version that judged: the cohort, or the one in force


def _percent_text(percent: Decimal) -> str:
    return format(percent.normalize(), "f")


def quote_trade_in(
    *,
    cohort: Cohort | None,
    purchased_on: date,
    today: date,
    amount_paid: Decimal,
    currency: str,
    category: str,
    condition: TradeInCondition,
    previous_trade_ins: int,
    warranty_replacement_used: bool,
    delivery_country: str | None,
    deductions: TradeInDeductions = DEFAULT_DEDUCTIONS,
    cutoffs: CohortCutoffs = DEFAULT_CUTOFFS,
) -> TradeInQuote:
    """The trade-in quote for one device on ``today``.

    ``amount_paid`` is what the customer actually paid for the device: the line price after
    discounts, without tax and shipping. ``previous_trade_ins`` counts earlier trade-ins of this
    device (serial number), ``cohort=None`` means the customer has no activated ID.
    """
    paid = quantize(amount_paid, currency)
    if paid < 0:
        raise ValueError(f"amount_paid cannot be negative: {amount_paid}")
    if cohort is None:
        return _quote_without_id(
            purchased_on=purchased_on,
            today=today,
            currency=currency,
            category=category,
            cutoffs=cutoffs,
        )

    policy = POLICIES[cohort]
    rule = policy.trade_in

    def refuse(reason: TradeInReason, **params: str) -> TradeInQuote:
        return TradeInQuote(
            cohort=cohort.value,
            eligible=False,
            kind=TradeInKind.NONE,
            percent=None,
            value=None,
            currency=currency,
            reason_code=reason,
            reason_params=params,
            policy_version=cohort.value,
        )

    def recycle(reason: TradeInReason, **params: str) -> TradeInQuote:
        return TradeInQuote(
            cohort=cohort.value,
            eligible=True,
            kind=TradeInKind.RECYCLE_ONLY,
            percent=None,
            value=None,
            currency=currency,
            reason_code=reason,
            reason_params=params,
            policy_version=cohort.value,
        )

    if not region_eligible(policy, delivery_country):
        return refuse(TradeInReason.REGION_NOT_ELIGIBLE)
    if category not in rule.categories:
        return refuse(TradeInReason.CATEGORY_NOT_ELIGIBLE)
    if policy.warranty_exchange_or_trade_in and warranty_replacement_used:
        return refuse(TradeInReason.WARRANTY_EXCHANGE_USED)
    if rule.once_per_device and previous_trade_ins > 0:
        return refuse(TradeInReason.ALREADY_TRADED_IN)
    earliest = rule.waiting.earliest(purchased_on)
    if today < earliest:
        return refuse(TradeInReason.TOO_EARLY, earliest=earliest.isoformat())

    if rule.kind is TradeInKind.DISCOUNT_ON_NEW:
        assert rule.discount_percent is not None
        return TradeInQuote(
            cohort=cohort.value,
            eligible=True,
            kind=TradeInKind.DISCOUNT_ON_NEW,
            percent=rule.discount_percent,
            value=None,
            currency=currency,
            reason_code=TradeInReason.DISCOUNT_ON_NEW,
            reason_params={"percent": _percent_text(rule.discount_percent)},
            policy_version=cohort.value,
        )

    # RECOVERY_VALUE (2025-11): condition first, because a broken device has no value at any age.
    if not condition.working or condition.severely_damaged:
        return recycle(TradeInReason.NOT_WORKING)
    band = rule.band_for(purchased_on, today)
    if band is None:
        oldest = rule.recovery_bands[-1].up_to_months
        return recycle(TradeInReason.TOO_OLD, months=str(oldest))
    base_value = quantize(paid * band.percent / HUNDRED, currency)
    deduction = deductions.percent_for(condition)
    value = quantize(base_value * (HUNDRED - deduction) / HUNDRED, currency)
    return TradeInQuote(
        cohort=cohort.value,
        eligible=True,
        kind=TradeInKind.RECOVERY_VALUE,
        percent=band.percent,
        value=value,
        currency=currency,
        reason_code=TradeInReason.RECOVERY_VALUE,
        reason_params={
            "percent": _percent_text(band.percent),
            "months": str(band.up_to_months),
            "base_value": str(base_value),
            "deduction_percent": _percent_text(deduction),
            "value": str(value),
            "currency": currency,
        },
        base_value=base_value,
        deduction_percent=deduction,
        policy_version=cohort.value,
    )


def _quote_without_id(
    *,
    purchased_on: date,
    today: date,
    currency: str,
    category: str,
    cutoffs: CohortCutoffs,
) -> TradeInQuote:
    """Section 5, the two "no activated ID" rows, by the version in force on ``today``."""
    version = policy_in_force(today, cutoffs)
    offer = NO_ID_TRADE_INS[version]

    def quote(
        eligible: bool,
        kind: TradeInKind,
        reason: TradeInReason,
        discount_percent: Decimal | None = None,
        params: dict[str, str] | None = None,
    ) -> TradeInQuote:
        return TradeInQuote(
            cohort=None,
            eligible=eligible,
            kind=kind,
            percent=discount_percent,
            value=None,
            currency=currency,
            reason_code=reason,
            reason_params=params or {},
            policy_version=version.value,
        )

    if offer.kind is TradeInKind.RECYCLE_ONLY:
        return quote(True, TradeInKind.RECYCLE_ONLY, TradeInReason.RECYCLING_WITHOUT_ID)
    if category not in offer.categories:
        return quote(False, TradeInKind.NONE, TradeInReason.CATEGORY_NOT_ELIGIBLE)
    discount = offer.discount_for(purchased_on, today)
    if discount is None:
        first = min(offer.discounts, key=lambda d: d.from_months)
        earliest = add_months(purchased_on, first.from_months)
        if NO_ID_TRADE_INS[policy_in_force(earliest, cutoffs)].kind is not offer.kind:
            # The device comes of age only after this offer has ended: naming that day would
            # promise a discount that will no longer exist.
            return quote(False, TradeInKind.NONE, TradeInReason.NO_DISCOUNT_WITHOUT_ID)
        return quote(
            False,
            TradeInKind.NONE,
            TradeInReason.TOO_EARLY,
            params={"earliest": earliest.isoformat()},
        )
    return quote(
        True,
        TradeInKind.DISCOUNT_ON_NEW,
        TradeInReason.DISCOUNT_WITHOUT_ID,
        discount.percent,
        params={"percent": _percent_text(discount.percent)},
    )


def recovery_shipment_overdue(
    approved_on: date,
    shipped_on: date | None,
    today: date,
    ship_within_days: int = SHIP_WITHIN_DAYS,
) -> bool:
    """Whether an approved recovery value (and its shipping refund) is to be revoked because the
    device was not shipped in time (section 5, step 5). The last allowed day is inside."""
    deadline = approved_on + timedelta(days=ship_within_days)
    if shipped_on is not None:
        return shipped_on > deadline
    return today > deadline
