"""The default reward catalogue and referral coupon (POLICY.md section 3).

Amounts are in the store's currency; the merchant sets local amounts, so these are defaults only.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from plugin.program.money import UnknownCurrency, quantize


class RewardKind(StrEnum):
    FIXED_AMOUNT = "fixed_amount"
    PERCENTAGE = "percentage"
    # Issue 19: points for Shopify store credit (combines with codes, can be partly spent).
    STORE_CREDIT = "store_credit"


@dataclass(frozen=True)
class RewardSpec:
    key: str
    points: int
    kind: RewardKind
    amount: Decimal | None = None  # FIXED_AMOUNT, in the store's currency
    percentage: Decimal | None = None  # PERCENTAGE: Decimal("30") is 30% off

    def __post_init__(self) -> None:
        if self.points <= 0:
            raise ValueError("a reward costs a positive number of points")
        if self.kind == RewardKind.FIXED_AMOUNT and (self.amount is None or self.amount <= 0):
            raise ValueError("a fixed-amount reward needs a positive amount")
        if self.kind == RewardKind.PERCENTAGE and not (
            self.percentage is not None and 0 < self.percentage <= 100
        ):
            raise ValueError("a percentage reward needs a percentage above 0 and up to 100")


# Section 3: (500-point coupon, 1,000-point coupon) per currency.
FIXED_COUPON_AMOUNTS: dict[str, tuple[Decimal, Decimal]] = {
    "USD": (Decimal("5"), Decimal("15")),
    "EUR": (Decimal("5"), Decimal("15")),
    "JPY": (Decimal("800"), Decimal("2400")),
    "KRW": (Decimal("7000"), Decimal("21000")),
}
PERCENTAGE_COUPON = Decimal("30")

REFERRAL_COUPON_AMOUNTS: dict[str, Decimal] = {
    "USD": Decimal("10"),
    "EUR": Decimal("10"),
    "JPY": Decimal("1500"),
    "KRW": Decimal("13000"),
}


def default_catalogue(currency: str) -> list[RewardSpec]:
    try:
        small, large = FIXED_COUPON_AMOUNTS[currency.upper()]
    except KeyError as exc:
        raise UnknownCurrency(currency) from exc
    return [
        RewardSpec(
            "amount_off_500", 500, RewardKind.FIXED_AMOUNT, amount=quantize(small, currency)
        ),
        RewardSpec(
            "amount_off_1000", 1000, RewardKind.FIXED_AMOUNT, amount=quantize(large, currency)
        ),
        RewardSpec("percent_off_2000", 2000, RewardKind.PERCENTAGE, percentage=PERCENTAGE_COUPON),
    ]


def referral_coupon_amount(currency: str) -> Decimal:
    """The friend's first-order coupon, and the referrer's reward, by default (section 3)."""
    try:
        return quantize(REFERRAL_COUPON_AMOUNTS[currency.upper()], currency)
    except KeyError as exc:
        raise UnknownCurrency(currency) from exc


def value_per_point(catalogue: list[RewardSpec]) -> Decimal:
    """What one outstanding point may cost the store, for the points liability.

    The best fixed-amount rate: a member can always redeem at that rate, so valuing points by it
    never understates the liability. Percentage coupons are left out because their worth depends on
    a future basket. A catalogue without fixed-amount rewards gives 0.
    """
    rates = [
        reward.amount / reward.points
        for reward in catalogue
        if reward.kind == RewardKind.FIXED_AMOUNT and reward.amount is not None
    ]
    return max(rates, default=Decimal(0))
