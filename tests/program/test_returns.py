"""Returns, repairs and exchanges by time since delivery, and the refund clock (POLICY.md section
6)."""

from datetime import date, timedelta

import pytest

from plugin.program.benefits.returns import (
    RETURN_CLOSED_STATES,
    RETURN_OPEN_STATES,
    ReturnOutcome,
    ReturnReason,
    ShippingPaidBy,
    check_return,
    next_return_state,
    refund_due_by,
    refund_is_late,
)

OUT, R = ReturnOutcome, ReturnReason
CUSTOMER, TESMART = ShippingPaidBy.CUSTOMER, ShippingPaidBy.TESMART

DELIVERED = date(2025, 1, 10)  # bought 2025-01-05
STANDARD_END = date(2026, 1, 5)  # 12 months from purchase, outside the EU
EU_STANDARD_END = date(2027, 1, 5)
EXTENDED_END = date(2028, 1, 5)


def day(n):
    return DELIVERED + timedelta(days=n)


def verdict(**overrides):
    facts = {
        "delivered_on": DELIVERED,
        "today": day(10),
        "delivery_country": "US",
        "faulty": False,
        "member_activated": False,
        "extended_warranty_end": None,
        "standard_warranty_end": STANDARD_END,
    }
    facts.update(overrides)
    return check_return(**facts)


MEMBER = {"member_activated": True, "extended_warranty_end": EXTENDED_END}


@pytest.mark.parametrize(
    ("facts", "outcome", "payer", "reason"),
    [
        pytest.param(
            {"today": DELIVERED},
            OUT.REFUND,
            CUSTOMER,
            R.REFUND_WITHIN_30_DAYS,
            id="delivery day, changed mind → refund, customer pays the return",
        ),
        pytest.param(
            {"today": day(30)},
            OUT.REFUND,
            CUSTOMER,
            R.REFUND_WITHIN_30_DAYS,
            id="day 30, changed mind → refund, customer pays",
        ),
        pytest.param(
            {"today": day(30), "faulty": True},
            OUT.REFUND,
            TESMART,
            R.REFUND_WITHIN_30_DAYS,
            id="day 30, faulty → refund, TESmart pays",
        ),
        pytest.param(
            {"today": day(30), "faulty": True, "delivery_country": "AU"},
            OUT.REFUND,
            TESMART,
            R.REFUND_WITHIN_30_DAYS,
            id="day 30, faulty, outside the free-shipping list → TESmart still pays",
        ),
        pytest.param(
            {"today": day(31)},
            OUT.NONE,
            CUSTOMER,
            R.RETURN_WINDOW_CLOSED,
            id="day 31, changed mind → no refund",
        ),
        pytest.param(
            {"today": day(31), "faulty": True},
            OUT.REPAIR,
            TESMART,
            R.REPAIR_UNDER_STANDARD_WARRANTY,
            id="day 31, faulty, no ID → repair",
        ),
        pytest.param(
            {"today": day(31), "faulty": True, **MEMBER},
            OUT.REPLACEMENT,
            TESMART,
            R.REPLACEMENT_UNDER_STANDARD_WARRANTY,
            id="day 31, faulty, member → same-model replacement",
        ),
        pytest.param(
            {"today": day(31), "faulty": True, "delivery_country": "BR", **MEMBER},
            OUT.REPLACEMENT,
            CUSTOMER,
            R.REPLACEMENT_UNDER_STANDARD_WARRANTY,
            id="day 31, faulty, member in Brazil → replacement, customer pays shipping",
        ),
        pytest.param(
            {"today": STANDARD_END - timedelta(days=1), "faulty": True},
            OUT.REPAIR,
            TESMART,
            R.REPAIR_UNDER_STANDARD_WARRANTY,
            id="day before the standard warranty ends → repair",
        ),
        pytest.param(
            {"today": STANDARD_END, "faulty": True},
            OUT.REPAIR,
            TESMART,
            R.REPAIR_UNDER_STANDARD_WARRANTY,
            id="last day of the standard warranty → repair",
        ),
        pytest.param(
            {"today": STANDARD_END + timedelta(days=1), "faulty": True},
            OUT.NONE,
            CUSTOMER,
            R.STANDARD_WARRANTY_ENDED,
            id="day after the standard warranty, no ID → nothing",
        ),
        pytest.param(
            {"today": STANDARD_END + timedelta(days=1), "faulty": True, "member_activated": True},
            OUT.NONE,
            CUSTOMER,
            R.STANDARD_WARRANTY_ENDED,
            id="day after, member without an extension → nothing",
        ),
        pytest.param(
            {
                "today": STANDARD_END + timedelta(days=1),
                "faulty": True,
                "extended_warranty_end": EXTENDED_END,
            },
            OUT.NONE,
            CUSTOMER,
            R.STANDARD_WARRANTY_ENDED,
            id="day after, extension on record but ID not activated → nothing",
        ),
        pytest.param(
            {"today": STANDARD_END + timedelta(days=1), "faulty": True, **MEMBER},
            OUT.EXCHANGE,
            TESMART,
            R.EXCHANGE_UNDER_EXTENDED_WARRANTY,
            id="day after, member with extension → same-model exchange",
        ),
        pytest.param(
            {"today": EXTENDED_END, "faulty": True, **MEMBER},
            OUT.EXCHANGE,
            TESMART,
            R.EXCHANGE_UNDER_EXTENDED_WARRANTY,
            id="last day of the extended warranty → exchange",
        ),
        pytest.param(
            {"today": EXTENDED_END, "faulty": True, "delivery_country": "AU", **MEMBER},
            OUT.EXCHANGE,
            CUSTOMER,
            R.EXCHANGE_UNDER_EXTENDED_WARRANTY,
            id="extended period in Australia → exchange, customer pays shipping",
        ),
        pytest.param(
            {"today": EXTENDED_END + timedelta(days=1), "faulty": True, **MEMBER},
            OUT.NONE,
            CUSTOMER,
            R.EXTENDED_WARRANTY_ENDED,
            id="day after the extended warranty → nothing",
        ),
        pytest.param(
            {
                "today": date(2026, 6, 1),
                "faulty": True,
                "delivery_country": "DE",
                "standard_warranty_end": EU_STANDARD_END,
            },
            OUT.REPAIR,
            TESMART,
            R.REPAIR_UNDER_STANDARD_WARRANTY,
            id="Germany, 17 months, faulty → repair (2-year warranty)",
        ),
        pytest.param(
            {"today": date(2026, 6, 1), "faulty": True, "delivery_country": "GB"},
            OUT.NONE,
            CUSTOMER,
            R.STANDARD_WARRANTY_ENDED,
            id="UK, 17 months, faulty, no ID → nothing (1-year warranty)",
        ),
        pytest.param(
            {"today": date(2026, 6, 1), "faulty": True, "delivery_country": "GB", **MEMBER},
            OUT.EXCHANGE,
            TESMART,
            R.EXCHANGE_UNDER_EXTENDED_WARRANTY,
            id="UK, 17 months, member → exchange, free shipping",
        ),
        pytest.param(
            {"third_party_seller": True},
            OUT.NONE,
            CUSTOMER,
            R.THIRD_PARTY_SELLER,
            id="bought from a third-party seller → not returnable",
        ),
        pytest.param(
            {"misuse": True, "faulty": True},
            OUT.NONE,
            CUSTOMER,
            R.MISUSE,
            id="damage from misuse → not returnable",
        ),
        pytest.param(
            {"delivered_on": None},
            OUT.NONE,
            CUSTOMER,
            R.NOT_DELIVERED,
            id="not delivered yet → nothing to return",
        ),
        pytest.param(
            {"today": DELIVERED - timedelta(days=1)},
            OUT.NONE,
            CUSTOMER,
            R.NOT_DELIVERED,
            id="asked before the delivery date → not delivered",
        ),
    ],
)
def test_check_return(facts, outcome, payer, reason):
    v = verdict(**facts)
    assert (v.outcome, v.return_shipping_paid_by, v.reason_code) == (outcome, payer, reason)


@pytest.mark.parametrize(
    ("facts", "params"),
    [
        pytest.param(
            {"today": day(30)},
            {"refund_window_end": "2025-02-09"},
            id="refund names the last day of the window",
        ),
        pytest.param(
            {"today": day(31)},
            {"refund_window_end": "2025-02-09"},
            id="closed window names the day it closed",
        ),
        pytest.param(
            {"today": day(31), "faulty": True},
            {"standard_warranty_end": "2026-01-05"},
            id="repair names the warranty end",
        ),
        pytest.param(
            {"today": date(2026, 6, 1), "faulty": True, **MEMBER},
            {"extended_warranty_end": "2028-01-05"},
            id="exchange names the extended end",
        ),
    ],
)
def test_verdicts_carry_their_dates(facts, params):
    assert verdict(**facts).reason_params == params


@pytest.mark.parametrize(
    ("received_on", "due"),
    [
        pytest.param(
            date(2025, 11, 14),
            date(2025, 11, 21),
            id="received Friday → due next Friday (weekend skipped)",
        ),
        pytest.param(
            date(2025, 11, 12), date(2025, 11, 19), id="received Wednesday → due next Wednesday"
        ),
        pytest.param(date(2025, 11, 15), date(2025, 11, 21), id="received Saturday → due Friday"),
        pytest.param(date(2025, 11, 16), date(2025, 11, 21), id="received Sunday → due Friday"),
    ],
)
def test_refund_due_within_5_working_days(received_on, due):
    assert refund_due_by(received_on) == due


@pytest.mark.parametrize(
    ("refunded_on", "today", "late"),
    [
        pytest.param(
            date(2025, 11, 17), date(2025, 11, 30), False, id="refunded the Monday after → on time"
        ),
        pytest.param(
            date(2025, 11, 21), date(2025, 11, 30), False, id="refunded on the due Friday → on time"
        ),
        pytest.param(
            date(2025, 11, 24),
            date(2025, 11, 30),
            True,
            id="refunded the Monday after the due day → late",
        ),
        pytest.param(
            None, date(2025, 11, 21), False, id="not refunded, due day not over → not late yet"
        ),
        pytest.param(
            None, date(2025, 11, 22), True, id="not refunded the day after the due day → late"
        ),
    ],
)
def test_refund_is_late_received_on_a_friday(refunded_on, today, late):
    assert refund_is_late(date(2025, 11, 14), refunded_on, today) is late


def test_a_store_holiday_moves_the_refund_due_day():
    assert refund_due_by(
        date(2025, 12, 24), frozenset({date(2025, 12, 25), date(2025, 12, 26)})
    ) == date(2026, 1, 2)


@pytest.mark.parametrize(
    ("today", "outcome"),
    [
        pytest.param(day(14), OUT.REFUND, id="a 14-day store: day 14 → refund"),
        pytest.param(day(15), OUT.NONE, id="a 14-day store: day 15 → closed"),
    ],
)
def test_a_store_may_set_its_own_return_window(today, outcome):
    assert verdict(today=today, return_window_days=14).outcome is outcome


@pytest.mark.parametrize(
    ("state", "action", "after"),
    [
        pytest.param("requested", "receive", "received", id="the parcel arrives"),
        pytest.param("requested", "close", "closed", id="closed before it arrives"),
        pytest.param("received", "refund", "refunded", id="refunded on time"),
        pytest.param("received", "flag_late", "refund_late", id="past the due day: late"),
        pytest.param("refund_late", "refund", "refunded", id="refunded late"),
        pytest.param("received", "close", "closed", id="closed after receipt (repair)"),
        pytest.param("requested", "refund", None, id="no refund before it arrives"),
        pytest.param("refunded", "refund", None, id="refunded once"),
        pytest.param("closed", "receive", None, id="a closed request stays closed"),
        pytest.param("refund_late", "flag_late", None, id="late once"),
        pytest.param("received", "ship", None, id="an unknown action"),
        pytest.param("lost", "close", None, id="an unknown state"),
    ],
)
def test_the_return_workflow(state, action, after):
    assert next_return_state(state, action) == after


def test_a_request_is_open_until_refunded_or_closed():
    assert set(RETURN_OPEN_STATES) == {"requested", "received", "refund_late"}
    assert set(RETURN_CLOSED_STATES) == {"refunded", "closed"}
    assert not set(RETURN_OPEN_STATES) & set(RETURN_CLOSED_STATES)
