"""Ending a TESmart ID (POLICY.md section 2): a cancellation takes everything."""

import pytest

from plugin.program.membership import (
    ENDING_ACTIONS,
    FORFEITED_PURPOSES,
    MembershipState,
    end_refused,
    points_forfeited,
)

OPEN, CANCELLED, REVOKED = MembershipState


@pytest.mark.parametrize(
    ("balance", "taken"),
    [
        pytest.param(1234, 1234, id="every unused point"),
        pytest.param(0, 0, id="nothing to take"),
        pytest.param(-80, 0, id="a debt is not collected"),
    ],
)
def test_an_ending_takes_every_unused_point(balance, taken):
    assert points_forfeited(balance) == taken


@pytest.mark.parametrize(
    ("current", "ending", "refused"),
    [
        pytest.param("open", CANCELLED, False, id="an open ID can be cancelled"),
        pytest.param("open", REVOKED, False, id="an open ID can be revoked"),
        pytest.param("cancelled", REVOKED, False, id="fraud found after a cancellation"),
        pytest.param("cancelled", CANCELLED, True, id="no second cancellation"),
        pytest.param("revoked", REVOKED, True, id="a revocation is final"),
        pytest.param("revoked", CANCELLED, True, id="a revoked ID is not cancelled"),
    ],
)
def test_which_endings_are_refused(current, ending, refused):
    assert end_refused(current, ending) is refused


def test_the_codes_lost_and_the_audit_names():
    assert FORFEITED_PURPOSES == ("reward", "referral", "ctrl_f")  # a trade-in code is owed
    assert ENDING_ACTIONS == {CANCELLED: "cancel", REVOKED: "revoke"}
    assert OPEN == "open"
