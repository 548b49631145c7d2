"""The ledger's entry kinds: one table says what each kind counts as (POLICY.md section 3)."""

import pytest

from plugin.program.entries import (
    ACTIVITY_KINDS,
    EARNED_KINDS,
    ENTRY_KINDS,
    EntryKind,
    SummaryLine,
    summary_line,
)


def test_the_stored_values_are_the_ones_the_ledger_has_always_written():
    assert {kind.value for kind in EntryKind} == {
        "signup",
        "newsletter",
        "order",
        "order_clawback",
        "survey",
        "review",
        "birthday",
        "import",
        "adjustment",
        "redemption",
        "redemption_refund",
        "expiry",
        "forfeit",
    }


def test_every_kind_has_its_rule():
    assert set(ENTRY_KINDS) == set(EntryKind)


def test_the_members_own_doing_keeps_points_from_expiring():
    assert set(ACTIVITY_KINDS) == {
        "signup",
        "newsletter",
        "order",
        "survey",
        "review",
        "redemption",
        "import",
        "adjustment",
    }


def test_the_tiers_count_earned_points_net_of_clawbacks():
    assert set(EARNED_KINDS) == {
        "signup",
        "newsletter",
        "survey",
        "order",
        "order_clawback",
        "review",
        "birthday",
    }


@pytest.mark.parametrize(
    ("kind", "line"),
    [
        pytest.param("redemption", SummaryLine.REDEEMED, id="a redemption is redeemed"),
        pytest.param(
            "redemption_refund", SummaryLine.REDEEMED, id="its refund nets out on the same line"
        ),
        pytest.param("expiry", SummaryLine.EXPIRED, id="expiry is expired"),
        pytest.param("order", SummaryLine.OTHER, id="an order's points are issued"),
        pytest.param("order_clawback", SummaryLine.OTHER, id="a clawback is taken back"),
        pytest.param("forfeit", SummaryLine.OTHER, id="a forfeit is taken back"),
        pytest.param("adjustment", SummaryLine.OTHER, id="an adjustment is either"),
        pytest.param("redeemed_elsewhere", SummaryLine.OTHER, id="not by the name's spelling"),
        pytest.param("expired", SummaryLine.OTHER, id="an unknown value is other"),
    ],
)
def test_the_summary_line_of_a_kind(kind, line):
    assert summary_line(kind) is line
