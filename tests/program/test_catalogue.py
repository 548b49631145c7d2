"""Default rewards, referral coupons and the value of a point (POLICY.md section 3)."""

from decimal import Decimal

import pytest

from plugin.program.catalogue import (
    RewardKind,
    RewardSpec,
    default_catalogue,
    referral_coupon_amount,
    value_per_point,
)
from plugin.program.money import UnknownCurrency


@pytest.mark.parametrize(
    ("currency", "small", "large"),
    [
        pytest.param("USD", "5.00", "15.00", id="tesmart.com: $5 and $15"),
        pytest.param("EUR", "5.00", "15.00", id="tesmart.de: 5 € and 15 €"),
        pytest.param("JPY", "800", "2400", id="tesmart.jp: ¥800 and ¥2,400"),
        pytest.param("KRW", "7000", "21000", id="tesmart.co.kr: ₩7,000 and ₩21,000"),
    ],
)
def test_default_catalogue(currency, small, large):
    rewards = default_catalogue(currency)
    assert [(r.points, r.kind) for r in rewards] == [
        (500, RewardKind.FIXED_AMOUNT),
        (1000, RewardKind.FIXED_AMOUNT),
        (2000, RewardKind.PERCENTAGE),
    ]
    assert [str(r.amount) for r in rewards[:2]] == [small, large]
    assert rewards[2].percentage == Decimal("30")
    assert len({r.key for r in rewards}) == 3


@pytest.mark.parametrize(
    ("currency", "amount"),
    [
        pytest.param("USD", "10.00", id="USD 10"),
        pytest.param("EUR", "10.00", id="EUR 10"),
        pytest.param("JPY", "1500", id="JPY 1,500"),
        pytest.param("KRW", "13000", id="KRW 13,000"),
    ],
)
def test_referral_coupon_amount(currency, amount):
    assert str(referral_coupon_amount(currency)) == amount


@pytest.mark.parametrize("call", [default_catalogue, referral_coupon_amount])
def test_a_currency_without_a_store_has_no_defaults(call):
    with pytest.raises(UnknownCurrency):
        call("GBP")


@pytest.mark.parametrize(
    ("currency", "per_point"),
    [
        pytest.param("USD", "0.015", id="USD: $15 for 1,000 is the best rate"),
        pytest.param("EUR", "0.015", id="EUR: 15 € for 1,000"),
        pytest.param("JPY", "2.4", id="JPY: ¥2,400 for 1,000"),
        pytest.param("KRW", "21", id="KRW: ₩21,000 for 1,000"),
    ],
)
def test_value_per_point_takes_the_best_fixed_rate(currency, per_point):
    assert value_per_point(default_catalogue(currency)) == Decimal(per_point)


def test_a_percentage_only_catalogue_has_no_fixed_value_per_point():
    only_percent = [
        RewardSpec("percent_off_2000", 2000, RewardKind.PERCENTAGE, percentage=Decimal("30"))
    ]
    assert value_per_point(only_percent) == Decimal(0)


@pytest.mark.parametrize(
    "spec",
    [
        pytest.param(
            {"key": "x", "points": 500, "kind": RewardKind.FIXED_AMOUNT},
            id="fixed amount without an amount",
        ),
        pytest.param(
            {"key": "x", "points": 500, "kind": RewardKind.PERCENTAGE, "percentage": Decimal("0")},
            id="0% off",
        ),
        pytest.param(
            {
                "key": "x",
                "points": 500,
                "kind": RewardKind.PERCENTAGE,
                "percentage": Decimal("101"),
            },
            id="more than 100% off",
        ),
        pytest.param(
            {"key": "x", "points": 0, "kind": RewardKind.FIXED_AMOUNT, "amount": Decimal("5")},
            id="free of points",
        ),
    ],
)
def test_reward_specs_must_make_sense(spec):
    with pytest.raises(ValueError):
        RewardSpec(**spec)
