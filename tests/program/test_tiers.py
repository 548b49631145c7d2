"""VIP tier rules (issue 19): up at once, down only when the period (and grace) ends."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from plugin.program.tiers import TiersInvalid, decide, parse_rules

RAW = {
    "enabled": True,
    "tiers": [
        {"key": "member", "name": "Member", "threshold": 0},
        {
            "key": "vip",
            "name": "VIP",
            "threshold": 3000,
            "multiplier": "1.5",
            "perk": "free_shipping",
        },
        {
            "key": "vip_plus",
            "name": "VIP Plus",
            "threshold": 10000,
            "multiplier": 2,
            "perk": "gift",
        },
    ],
}
TODAY = date(2027, 6, 15)
ENDS = date(2027, 6, 15)


@pytest.mark.parametrize(
    "retention, grace, current, ends, amount, today, expected",
    [
        ("period_end", 0, None, None, 0, TODAY, ("member", "qualified")),
        ("period_end", 0, "member", ENDS.replace(year=2028), 3000, TODAY, ("vip", "qualified")),
        (
            "period_end",
            0,
            "member",
            ENDS.replace(year=2028),
            12000,
            TODAY,
            ("vip_plus", "qualified"),
        ),
        ("period_end", 0, "vip", ENDS.replace(year=2028), 100, TODAY, None),  # period not over
        ("period_end", 0, "vip", ENDS, 100, TODAY, ("member", "period_end")),
        ("period_end", 0, "vip", ENDS, 5000, TODAY, ("vip", "renewed")),
        ("grace", 3, "vip", ENDS, 100, date(2027, 9, 14), None),
        ("grace", 3, "vip", ENDS, 100, date(2027, 9, 15), ("member", "grace_end")),
        ("never", 0, "vip_plus", ENDS, 0, date(2030, 1, 1), None),
        (
            "period_end",
            0,
            "gold",
            ENDS.replace(year=2028),
            0,
            TODAY,
            None,
        ),  # tier removed by an edit
        ("period_end", 0, "gold", ENDS, 3500, TODAY, ("vip", "period_end")),
    ],
)
def test_moves(retention, grace, current, ends, amount, today, expected):
    rules = parse_rules({**RAW, "retention": retention, "grace_months": grace})
    move = decide(rules, current, ends, Decimal(amount), today)
    assert (None if move is None else (move.to.key if move.to else None, move.cause)) == expected


@pytest.mark.parametrize(
    "change, field",
    [
        ({"basis": "vibes"}, "basis"),
        ({"retention": "sometimes"}, "retention"),
        ({"tiers": [{"key": "a", "name": "A", "threshold": 10}]}, "tiers.0.threshold"),
        (
            {
                "tiers": [
                    {"key": "a", "name": "A", "threshold": 0},
                    {"key": "b", "name": "B", "threshold": 0},
                ]
            },
            "tiers",
        ),
        (
            {"tiers": [{"key": "a", "name": "A", "threshold": 0, "multiplier": "0.5"}]},
            "tiers.0.multiplier",
        ),
        ({"tiers": [{"key": "a", "name": "A", "threshold": 0, "perk": "yacht"}]}, "tiers.0.perk"),
        ({"tiers": []}, "tiers"),
    ],
)
def test_bad_rules_are_refused_by_field(change, field):
    with pytest.raises(TiersInvalid) as refused:
        parse_rules({**RAW, **change})
    assert field in refused.value.errors


def test_off_by_default():
    assert parse_rules(None).enabled is False
