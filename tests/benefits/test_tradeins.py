"""Trade-ins end to end through the services and the storefront (POLICY.md 5, steps 1-6):
quotes, applications, the merchant's workflow, payouts exactly once, expiry, inspection."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from plugin.benefits import tradeins
from plugin.benefits.tradeins import TradeInTransitionError
from plugin.extensions import db
from plugin.models import AuditLog, OutboxItem, Redemption, TradeIn, TradeInEvent
from tests import payloads
from tests.benefits.conftest import MINT, WORN_NO_BOX, shop
from tests.conftest import SHOP_DOMAINS

STAFF = "staff:42"


def quote(api, person, condition=WORN_NO_BOX, device_id=None):  # type: ignore[no-untyped-def]
    response = api(
        "POST",
        "/trade-in/quote",
        person,
        json={"device_id": device_id or person.device.id, "condition": condition},
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def applied(api, person, serial="TES-SN-0001", condition=WORN_NO_BOX):  # type: ignore[no-untyped-def]
    answer = quote(api, person, condition)
    response = api(
        "POST", "/trade-ins", person, json={"quote_id": answer["quote_id"], "serial": serial}
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["trade_in"]


def trade_in(trade_in_id: int) -> TradeIn:
    db.session.expire_all()
    return db.session.get(TradeIn, trade_in_id)


def trail(trade_in_id: int) -> list[tuple[str | None, str]]:
    db.session.expire_all()
    events = db.session.execute(
        select(TradeInEvent)
        .where(TradeInEvent.trade_in_id == trade_in_id)
        .order_by(TradeInEvent.id)
    ).scalars()
    return [(e.from_state, e.to_state) for e in events]


@pytest.fixture()
def in_fake(fake_admin):  # type: ignore[no-untyped-def]
    """The shopper exists in the fake Admin API too (store credit needs a real customer)."""

    def seed(person):  # type: ignore[no-untyped-def]
        fake_admin.add_customer(
            SHOP_DOMAINS[person.region], email=person.email, customer_id=person.customer_id
        )
        return f"gid://shopify/Customer/{person.customer_id}"

    return seed


# --- quotes --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cohort", "condition", "expected"),
    [
        pytest.param(
            "2025-11",
            MINT,
            {"kind": "recovery_value", "percent": "50", "value": "64.50"},
            id="2025-11 mint: 50% of 129.00",
        ),
        pytest.param(
            "2025-11",
            WORN_NO_BOX,
            {"kind": "recovery_value", "percent": "50", "value": "45.15"},
            id="2025-11 wear and no box: 70% of 64.50",
        ),
        pytest.param(
            "2025-11",
            {**MINT, "working": False},
            {"kind": "recycle_only", "percent": None, "value": None},
            id="2025-11 not working: free recycling",
        ),
        pytest.param(
            "2025-04",
            WORN_NO_BOX,
            {"kind": "discount_on_new", "percent": "30", "value": None},
            id="2025-04: 30% off a second device",
        ),
        pytest.param(
            "legacy",
            WORN_NO_BOX,
            {"kind": "discount_on_new", "percent": "40", "value": None},
            id="legacy: 40% off the new product",
        ),
    ],
)
def test_quote_by_cohort_and_condition(shopper, api, cohort, condition, expected):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort=cohort)
    answer = quote(api, ann, condition)
    assert {k: answer[k] for k in expected} == expected
    assert answer["cohort"] == cohort and answer["eligible"] is True and answer["currency"] == "USD"
    assert (answer["quote_id"] is None) is (expected["kind"] == "recycle_only")
    assert answer["reason"] and "_" not in answer["reason"]


def test_too_early_is_said_with_the_day(shopper, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11", bought_days_ago=30)
    answer = quote(api, ann)
    assert (answer["eligible"], answer["kind"], answer["quote_id"]) == (False, "none", None)
    assert "can be traded in from" in answer["reason"]


def test_the_write_limit_counts_the_quotes_that_write(app, shopper, api):  # type: ignore[no-untyped-def]
    """A quote with nothing to apply for writes nothing: it is a read, as GET /devices is, and is
    not counted. A quote that writes a ``quoted`` trade-in counts, and past the limit it is a 429
    that writes nothing."""
    app.config["STOREFRONT_WRITE_LIMIT"] = 2
    early = shopper("ann@example.com", cohort="2025-11", bought_days_ago=30)
    assert [quote(api, early)["quote_id"] for _ in range(4)] == [None] * 4
    bob = shopper("bob@example.com", cohort="2025-11")
    assert all(quote(api, bob)["quote_id"] for _ in range(2))
    limited = api(
        "POST",
        "/trade-in/quote",
        bob,
        json={"device_id": bob.device.id, "condition": WORN_NO_BOX},
    )
    assert limited.status_code == 429, limited.get_json()
    assert limited.get_json()["error"]["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) >= 1
    db.session.expire_all()
    written = db.session.execute(select(TradeIn.id).where(TradeIn.device_id == bob.device.id)).all()
    assert len(written) == 2
    assert quote(api, early)["quote_id"] is None  # refused quotes still answer


@pytest.mark.parametrize(
    "body",
    [
        {"device_id": "1", "condition": MINT},
        {"device_id": 1, "condition": {**MINT, "working": "yes"}},
        {"device_id": 1},
    ],
    ids=["device id as text", "condition not a boolean", "no condition"],
)
def test_malformed_quote_requests_are_400(shopper, api, body):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11")
    assert api("POST", "/trade-in/quote", ann, json=body).status_code == 400


# --- applications ------------------------------------------------------------------------------


def test_2025_11_application_needs_a_serial_number(shopper, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11")
    answer = quote(api, ann)
    missing = api("POST", "/trade-ins", ann, json={"quote_id": answer["quote_id"]})
    assert missing.status_code == 422 and missing.get_json()["error"]["code"] == "serial_required"
    ok = api("POST", "/trade-ins", ann, json={"quote_id": answer["quote_id"], "serial": "tes-sn-1"})
    assert ok.status_code == 201
    assert ok.get_json()["trade_in"] | {"id": 0, "created_at": "", "updated_at": ""} == {
        "id": 0,
        "device_id": ann.device.id,
        "state": "applied",
        "kind": "recovery_value",
        "percent": "50",
        "value": "45.15",
        "currency": "USD",
        "code": None,
        "tracking_number": None,
        "created_at": "",
        "updated_at": "",
    }
    assert ann.device.serial == "TES-SN-1"
    again = api(
        "POST", "/trade-ins", ann, json={"quote_id": answer["quote_id"], "serial": "tes-sn-1"}
    )
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_applied"


def test_a_serial_registered_to_another_device_is_refused(shopper, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11")
    bob = shopper("bob@example.com", cohort="2025-11")
    api("POST", f"/devices/{bob.device.id}/serial", bob, json={"serial": "SN-BOB"})
    answer = quote(api, ann)
    response = api(
        "POST", "/trade-ins", ann, json={"quote_id": answer["quote_id"], "serial": "SN-BOB"}
    )
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "serial_taken"


def test_a_device_is_traded_in_once_under_2025_11(shopper, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11")
    applied(api, ann)
    again = quote(api, ann)
    assert (again["eligible"], again["quote_id"]) == (False, None)
    assert "already been traded in" in again["reason"]


def test_2025_04_trades_in_without_limit(shopper, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-04")
    applied(api, ann, serial=None)
    assert quote(api, ann)["eligible"] is True


def test_a_quote_older_than_a_week_must_be_asked_again(shopper, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11")
    answer = quote(api, ann)
    row = trade_in(answer["quote_id"])
    row.created_at = row.created_at - timedelta(days=8)
    db.session.commit()
    response = api(
        "POST", "/trade-ins", ann, json={"quote_id": answer["quote_id"], "serial": "SN-1"}
    )
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "quote_expired"


def test_a_cancelled_member_cannot_apply_from_an_earlier_quote(shopper, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11")
    answer = quote(api, ann)
    ann.member.state = "cancelled"
    db.session.commit()
    response = api(
        "POST", "/trade-ins", ann, json={"quote_id": answer["quote_id"], "serial": "SN-1"}
    )
    assert response.status_code == 422


# --- the merchant's workflow and payouts -------------------------------------------------------


def test_recovery_value_is_paid_as_store_credit_exactly_once(
    shopper, api, in_fake, fake_admin, drain
):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11")
    customer_gid = in_fake(ann)
    ti = applied(api, ann)
    us = shop("us")
    tradeins.approve(us, ti["id"], STAFF)
    shipped = api(
        "POST",
        f"/trade-ins/{ti['id']}/tracking",
        ann,
        json={"tracking_number": "1Z999", "carrier": "UPS"},
    )
    assert shipped.status_code == 200 and shipped.get_json()["trade_in"]["state"] == "shipped"

    tradeins.pay(us, ti["id"], STAFF, "store_credit", shipping_refund="8.00")
    drain()
    with pytest.raises(TradeInTransitionError):
        tradeins.pay(shop("us"), ti["id"], STAFF, "store_credit")
    from plugin.jobs import run_outbox_item, sweep

    item = db.session.execute(
        select(OutboxItem).where(OutboxItem.kind == "store_credit.credit")
    ).scalar_one()
    assert item.state == "done"
    assert run_outbox_item(item.id) == "skipped"  # a redelivered job does nothing
    sweep()
    assert fake_admin.store_credit(SHOP_DOMAINS["us"], customer_gid) == Decimal("53.15")

    tradeins.mark_received(shop("us"), ti["id"], STAFF)
    tradeins.inspect(shop("us"), ti["id"], STAFF, "confirmed")
    assert trail(ti["id"]) == [
        (None, "quoted"),
        ("quoted", "applied"),
        ("applied", "approved"),
        ("approved", "shipped"),
        ("shipped", "paid"),
        ("paid", "paid"),
        ("paid", "received"),
        ("received", "inspected"),
    ]
    assert ann.device.serial_verified is True
    actions = (
        db.session.execute(
            select(AuditLog.action).where(
                AuditLog.subject_type == "trade_in", AuditLog.subject_id == str(ti["id"])
            )
        )
        .scalars()
        .all()
    )
    assert actions[:3] == ["trade_in.apply", "trade_in.approve", "trade_in.ship"]
    assert api("GET", "/trade-ins", ann).get_json()["trade_ins"][0]["state"] == "inspected"
    assert api("GET", "/devices", ann).get_json()["devices"][0]["trade_in"]["status"] == "inspected"


def test_recovery_value_as_a_partial_refund_keeps_the_order_points(
    shopper, api, in_fake, fake_admin, deliver, drain
):  # type: ignore[no-untyped-def]
    from plugin import ledger

    ann = shopper("ann@example.com", cohort="2025-11")
    customer_gid = in_fake(ann)
    order = ann.orders[0]
    order_gid = fake_admin.add_order(
        SHOP_DOMAINS["us"],
        line_items=[{"price": "129.00"}],
        customer=customer_gid,
        order_id=order["id"],
    )
    ti = applied(api, ann)
    tradeins.approve(shop("us"), ti["id"], STAFF)
    tradeins.mark_shipped(shop("us"), ti["id"], STAFF, "1Z999")
    points_before = ledger.balance(shop("us").id, ann.member.id)
    tradeins.pay(shop("us"), ti["id"], STAFF, "refund")
    drain()
    [refund] = fake_admin.refunds(SHOP_DOMAINS["us"], order_gid)
    assert refund["amount"] == Decimal("45.15")
    # Shopify then sends refunds/create for it: a payout, not a return, so no clawback.
    refund_id = int(refund["id"].rsplit("/", 1)[-1])
    deliver("refunds/create", payloads.refund(order, "45.15", refund_id=refund_id))
    db.session.expire_all()
    assert ledger.balance(shop("us").id, ann.member.id) == points_before


@pytest.mark.parametrize(
    ("cohort", "percent"), [("2025-04", Decimal("30")), ("legacy", Decimal("40"))]
)
def test_a_discount_trade_in_is_paid_with_a_single_use_percentage_code(
    shopper, api, cohort, percent
):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort=cohort)
    ti = applied(api, ann, serial=None)
    tradeins.approve(shop("us"), ti["id"], STAFF)
    with pytest.raises(TradeInTransitionError):
        tradeins.pay(shop("us"), ti["id"], STAFF, "store_credit")
    tradeins.pay(shop("us"), ti["id"], STAFF, "code")
    row = trade_in(ti["id"])
    redemption = db.session.get(Redemption, row.redemption_id)
    assert (row.state, redemption.purpose, redemption.kind, redemption.percentage) == (
        "paid",
        "trade_in",
        "percentage",
        percent,
    )
    assert redemption.customer_id == str(ann.customer_id)


def test_not_shipped_in_time_the_value_is_revoked(shopper, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11")
    ti = applied(api, ann)
    tradeins.approve(shop("us"), ti["id"], STAFF)
    ship_by = trade_in(ti["id"]).ship_by
    assert tradeins.expire_unshipped(today=ship_by) == 0  # the last day is still inside
    assert tradeins.expire_unshipped(today=ship_by + timedelta(days=1)) == 1
    assert trade_in(ti["id"]).state == "expired"
    late = api("POST", f"/trade-ins/{ti['id']}/tracking", ann, json={"tracking_number": "1Z999"})
    assert late.status_code == 409


def test_entering_tracking_after_the_deadline_expires_the_trade_in(shopper, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11")
    ti = applied(api, ann)
    tradeins.approve(shop("us"), ti["id"], STAFF)
    ship_by = trade_in(ti["id"]).ship_by
    with pytest.raises(TradeInTransitionError):
        tradeins.mark_shipped(
            shop("us"), ti["id"], STAFF, "1Z999", today=ship_by + timedelta(days=1)
        )
    assert trail(ti["id"])[-1] == ("approved", "expired")


@pytest.mark.parametrize(
    ("outcome", "value", "state", "owed_back", "topped_up"),
    [
        pytest.param(
            "adjusted",
            "30.00",
            "inspected",
            "15.15",
            None,
            id="worse than answered: value lowered, difference owed back",
        ),
        pytest.param(
            "adjusted", "50.00", "inspected", None, "4.85", id="better than answered: topped up"
        ),
        pytest.param(
            "revoked",
            None,
            "revoked",
            "45.15",
            None,
            id="not the device described: revoked, all owed back",
        ),
    ],
)
def test_inspection_adjusts_or_revokes_the_value(
    shopper, api, in_fake, fake_admin, drain, outcome, value, state, owed_back, topped_up
):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11")
    customer_gid = in_fake(ann)
    ti = applied(api, ann)
    for step in (
        lambda: tradeins.approve(shop("us"), ti["id"], STAFF),
        lambda: tradeins.mark_shipped(shop("us"), ti["id"], STAFF, "1Z999"),
        lambda: tradeins.pay(shop("us"), ti["id"], STAFF, "store_credit"),
        lambda: tradeins.mark_received(shop("us"), ti["id"], STAFF),
        lambda: tradeins.inspect(
            shop("us"), ti["id"], STAFF, outcome, value=value, note="scratched lid"
        ),
    ):
        step()
    drain()
    event = db.session.execute(
        select(TradeInEvent).where(
            TradeInEvent.trade_in_id == ti["id"], TradeInEvent.from_state == "received"
        )
    ).scalar_one()
    assert (event.to_state, event.data.get("owed_back"), event.data.get("topped_up")) == (
        state,
        owed_back,
        topped_up,
    )
    credited = Decimal("45.15") + Decimal(topped_up or 0)
    assert fake_admin.store_credit(SHOP_DOMAINS["us"], customer_gid) == credited


def test_a_store_credit_with_no_answer_is_never_sent_again(
    shopper, api, in_fake, fake_admin, drain
):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11")
    customer_gid = in_fake(ann)
    ti = applied(api, ann)
    tradeins.approve(shop("us"), ti["id"], STAFF)
    tradeins.mark_shipped(shop("us"), ti["id"], STAFF, "1Z999")
    # Shopify credits the customer, but the answer is lost on the way back.
    fake_admin.inject("timeout", operation="StoreCreditAccountCredit", applied=True)
    tradeins.pay(shop("us"), ti["id"], STAFF, "store_credit")
    drain()
    from plugin.jobs import sweep

    sweep()
    drain()
    assert fake_admin.store_credit(SHOP_DOMAINS["us"], customer_gid) == Decimal("45.15")
    row = trade_in(ti["id"])
    assert row.state == "shipped"  # stepped back for the merchant, who is told to check first
    assert "may have been made" in row.note


def test_a_worker_that_died_after_the_credit_does_not_credit_twice(
    shopper, api, in_fake, fake_admin, drain
):  # type: ignore[no-untyped-def]
    from plugin.effects import store_credit

    ann = shopper("ann@example.com", cohort="2025-11")
    customer_gid = in_fake(ann)
    ti = applied(api, ann)
    tradeins.approve(shop("us"), ti["id"], STAFF)
    tradeins.mark_shipped(shop("us"), ti["id"], STAFF, "1Z999")
    # What a worker leaves behind when it dies after Shopify answered: the "sent" mark, no "done".
    store_credit._mark(shop("us"), f"trade_in:{ti['id']}:payout:0", store_credit.SENT, {})
    tradeins.pay(shop("us"), ti["id"], STAFF, "store_credit")
    drain()
    assert fake_admin.store_credit(SHOP_DOMAINS["us"], customer_gid) == Decimal(0)
    assert trade_in(ti["id"]).state == "shipped"


def test_the_merchant_can_revoke_before_inspection(shopper, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11")
    ti = applied(api, ann)
    with pytest.raises(Exception, match="why"):
        tradeins.revoke(shop("us"), ti["id"], STAFF, "")
    tradeins.revoke(shop("us"), ti["id"], STAFF, "same serial used in another store")
    assert trade_in(ti["id"]).state == "revoked"


def test_a_refused_step_is_a_409_for_every_surface_and_the_programs_error(shopper, api):  # type: ignore[no-untyped-def]
    from plugin.errors import status_of
    from plugin.program.benefits import tradein_workflow
    from plugin.program.errors import Conflict

    ann = shopper("ann@example.com", cohort="2025-11")
    ti = applied(api, ann)
    with pytest.raises(TradeInTransitionError) as refused:
        tradeins.mark_received(shop("us"), ti["id"], STAFF)
    assert isinstance(refused.value, Conflict) and isinstance(
        refused.value, tradein_workflow.TradeInTransitionError
    )
    assert (status_of(refused.value), refused.value.code) == (409, "invalid_transition")
    early = api("POST", f"/trade-ins/{ti['id']}/tracking", ann, json={"tracking_number": "1Z"})
    assert early.status_code == 409 and early.get_json()["error"]["code"] == "invalid_transition"


def test_a_quote_shows_the_base_each_deduction_and_the_value(shopper, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11")
    body = api(
        "POST", "/trade-in/quote", ann, json={"device_id": ann.device.id, "condition": WORN_NO_BOX}
    ).get_json()
    assert body["base_value"] == "64.50"  # 50% of 129.00
    assert body["deductions"] == [
        {"question": "cosmetic_wear", "percent": "20", "amount": "12.90"},
        {"question": "packaging", "percent": "10", "amount": "6.45"},
    ]
    assert body["value"] == "45.15"
    good = {
        "cosmetic_wear": False,
        "accessories_complete": True,
        "original_packaging": True,
        "working": True,
    }
    mint = api(
        "POST", "/trade-in/quote", ann, json={"device_id": ann.device.id, "condition": good}
    ).get_json()
    assert (mint["base_value"], mint["deductions"], mint["value"]) == ("64.50", [], "64.50")
    assert "0%" not in mint["reason"].replace("50%", "")
