"""The trade-in workflow table (POLICY.md 5, steps 1-6) and the CTRL F code percent (section 7)."""

from decimal import Decimal

import pytest

from plugin.program.benefits.ctrlf import ctrlf_code_percent
from plugin.program.benefits.tradein_workflow import (
    TAKES_PART,
    TradeInTransitionError,
    allowed_actions,
    check_payout_method,
    next_state,
)
from plugin.program.cohorts import Cohort

RECOVERY, DISCOUNT = "recovery_value", "discount_on_new"


@pytest.mark.parametrize(
    ("kind", "state", "action", "after"),
    [
        pytest.param(RECOVERY, "quoted", "apply", "applied", id="recovery: a quote is applied for"),
        pytest.param(
            RECOVERY,
            "applied",
            "approve",
            "approved",
            id="recovery: the merchant approves the value",
        ),
        pytest.param(
            RECOVERY, "approved", "ship", "shipped", id="recovery: the member ships with tracking"
        ),
        pytest.param(
            RECOVERY, "approved", "expire", "expired", id="recovery: not shipped in time → expired"
        ),
        pytest.param(
            RECOVERY, "shipped", "pay", "paid", id="recovery: paid once the parcel is in transit"
        ),
        pytest.param(
            RECOVERY, "paid", "payout_failed", "shipped", id="recovery: a refused payout steps back"
        ),
        pytest.param(
            RECOVERY, "paid", "receive", "received", id="recovery: the warehouse receives it"
        ),
        pytest.param(
            RECOVERY,
            "received",
            "inspect_confirmed",
            "inspected",
            id="recovery: inspection confirms",
        ),
        pytest.param(
            RECOVERY, "received", "inspect_adjusted", "inspected", id="recovery: inspection adjusts"
        ),
        pytest.param(
            RECOVERY, "received", "inspect_revoked", "revoked", id="recovery: inspection revokes"
        ),
        pytest.param(
            RECOVERY, "paid", "revoke", "revoked", id="recovery: the merchant revokes after payment"
        ),
        pytest.param(
            DISCOUNT,
            "approved",
            "pay",
            "paid",
            id="discount: the code is issued after approval, no shipping",
        ),
        pytest.param(
            DISCOUNT, "paid", "payout_failed", "approved", id="discount: a failed code steps back"
        ),
        pytest.param(
            DISCOUNT, "applied", "revoke", "revoked", id="discount: revoked before the code"
        ),
    ],
)
def test_allowed_steps(kind, state, action, after):
    assert next_state(kind, state, action) == after


@pytest.mark.parametrize(
    ("kind", "state", "action"),
    [
        pytest.param(RECOVERY, "applied", "pay", id="recovery: no payout before approval"),
        pytest.param(
            RECOVERY, "approved", "pay", id="recovery: no payout before the parcel is in transit"
        ),
        pytest.param(RECOVERY, "paid", "pay", id="recovery: never paid twice"),
        pytest.param(
            RECOVERY, "shipped", "expire", id="recovery: a shipped device does not expire"
        ),
        pytest.param(
            RECOVERY, "shipped", "inspect_confirmed", id="recovery: no inspection before receipt"
        ),
        pytest.param(RECOVERY, "inspected", "revoke", id="recovery: inspected is final"),
        pytest.param(RECOVERY, "expired", "ship", id="recovery: expired is final"),
        pytest.param(RECOVERY, "quoted", "approve", id="recovery: a bare quote cannot be approved"),
        pytest.param(DISCOUNT, "approved", "ship", id="discount: the device stays home"),
        pytest.param(DISCOUNT, "paid", "revoke", id="discount: an issued code is owed"),
        pytest.param(DISCOUNT, "paid", "pay", id="discount: one code"),
        pytest.param("recycle_only", "quoted", "apply", id="recycling is not a trade-in workflow"),
        pytest.param(RECOVERY, "approved", "teleport", id="unknown action"),
    ],
)
def test_refused_steps(kind, state, action):
    with pytest.raises(TradeInTransitionError):
        next_state(kind, state, action)


@pytest.mark.parametrize(
    ("kind", "method", "ok"),
    [
        pytest.param(RECOVERY, "store_credit", True, id="recovery: store credit"),
        pytest.param(RECOVERY, "refund", True, id="recovery: partial refund of a recent order"),
        pytest.param(RECOVERY, "code", True, id="recovery: credit on a new order"),
        pytest.param(DISCOUNT, "code", True, id="discount: single-use percentage code"),
        pytest.param(DISCOUNT, "store_credit", False, id="discount: never money"),
        pytest.param(RECOVERY, "cash", False, id="unknown method"),
    ],
)
def test_payout_methods(kind, method, ok):
    if ok:
        assert check_payout_method(kind, method) == method
    else:
        with pytest.raises(TradeInTransitionError):
            check_payout_method(kind, method)


def test_quotes_and_expired_trade_ins_do_not_count_as_taking_part():
    assert "quoted" not in TAKES_PART and "expired" not in TAKES_PART
    assert {"applied", "paid", "inspected", "revoked"} <= TAKES_PART


def test_allowed_actions_name_the_next_steps():
    assert allowed_actions(RECOVERY, "approved") == {"ship", "expire", "revoke"}
    assert allowed_actions(DISCOUNT, "approved") == {"pay", "revoke"}


@pytest.mark.parametrize(
    ("cohort", "requested", "percent"),
    [
        pytest.param(Cohort.NOVEMBER_2025, None, "40", id="2025-11 default → 40%"),
        pytest.param(
            Cohort.APRIL_2025, Decimal("30"), "30", id="2025-04, the test offers 30% → 30%"
        ),
        pytest.param(Cohort.APRIL_2025, Decimal("60"), "40", id="2025-04, above the 40% cap → 40%"),
        pytest.param(Cohort.LEGACY, None, "50", id="legacy default → 50%"),
        pytest.param(Cohort.LEGACY, Decimal("40"), "50", id="legacy never below 50%"),
        pytest.param(Cohort.LEGACY, Decimal("100"), "100", id="legacy may test for free"),
        pytest.param(None, Decimal("40"), None, id="no activated ID → no code"),
    ],
)
def test_ctrlf_code_percent(cohort, requested, percent):
    result = ctrlf_code_percent(cohort, requested)
    assert (None if result is None else format(result.normalize(), "f")) == percent
