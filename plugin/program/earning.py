"""Points earned and taken back (POLICY.md section 3)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class EarningRules:
    """Points per action; the defaults of section 3, configurable per store."""

    signup: int = 100
    newsletter: int = 100
    survey: int = 800
    order: int = 2000
    review: int = 100
    review_with_photos: int = 200
    # None: a flat ``order`` per paid order. Otherwise points per unit of currency spent, net of
    # discounts, tax and shipping.
    per_currency_unit: Decimal | None = None


DEFAULT_EARNING_RULES = EarningRules()


def _whole_points(value: Decimal) -> int:
    # A partial point is never awarded: round down.
    return int(value.to_integral_value(rounding=ROUND_FLOOR))


def order_points(rules: EarningRules, net_amount: Decimal, multiplier: Decimal = Decimal(1)) -> int:
    """Points for one paid order; ``multiplier`` is the campaign's (2 on Points Day, 1
    otherwise)."""
    if multiplier < 0:
        raise ValueError(f"a points multiplier cannot be negative: {multiplier}")
    if rules.per_currency_unit is None:
        return _whole_points(Decimal(rules.order) * multiplier)
    spent = max(Decimal(net_amount), Decimal(0))
    return _whole_points(Decimal(_whole_points(spent * rules.per_currency_unit)) * multiplier)


def clawback_points(
    order_points_awarded: int,
    order_total: Decimal,
    refunded_amount: Decimal,
    already_clawed: int,
) -> int:
    """Points to take back now for an order's refunds or cancellation (section 3).

    ``refunded_amount`` is the order's CUMULATIVE refunded amount so far (every refund of the order,
    this one included) and ``already_clawed`` the points taken back by earlier refunds. The target
    is ``round_half_up(awarded * refunded / total)`` and the answer is what is still missing to
    reach it, so partial refunds that add up to a full refund take back exactly the award, never
    more. An order with a zero total (fully discounted) has nothing to be proportional to: any
    refund or cancellation of it takes everything back.
    """
    if order_points_awarded < 0 or already_clawed < 0:
        raise ValueError("points awarded and clawed back are never negative")
    if order_total <= 0:
        share = Decimal(1)
    else:
        share = min(max(Decimal(refunded_amount), Decimal(0)), order_total) / order_total
    target = int((order_points_awarded * share).to_integral_value(rounding=ROUND_HALF_UP))
    return max(target - already_clawed, 0)


def review_points(
    with_photos: bool,
    already_awarded_for_product: int,
    rules: EarningRules = DEFAULT_EARNING_RULES,
) -> int:
    """Points for a review of a product: once per product per member; a review with photos is worth
    200 in place of 100, never in addition, so a photo review after a plain one tops up the
    difference and anything after that earns nothing."""
    due = rules.review_with_photos if with_photos else rules.review
    return max(due - already_awarded_for_product, 0)
