"""Returns (POLICY.md 6): what an order can get, counted from its delivery; delivery dates from
orders/fulfilled or the Admin API; return requests; the 5-working-day refund clock."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from plugin.benefits import returns
from plugin.extensions import db
from plugin.models import AuditLog, Order, ReturnRequest
from tests.benefits.conftest import ago, shop
from tests.conftest import SHOP_DOMAINS


def fulfilled(order, delivered_days_ago=None, shipped_days_ago=None):  # type: ignore[no-untyped-def]
    """orders/fulfilled: a fulfilment, delivered when the carrier reported it."""
    shipped = ago(
        shipped_days_ago if shipped_days_ago is not None else (delivered_days_ago or 0) + 2
    )
    fulfillment = {
        "id": 1,
        "created_at": shipped,
        "status": "success",
        "updated_at": shipped,
        "shipment_status": None,
    }
    if delivered_days_ago is not None:
        fulfillment |= {"shipment_status": "delivered", "updated_at": ago(delivered_days_ago)}
    return {**order, "fulfillment_status": "fulfilled", "fulfillments": [fulfillment]}


def check(api, person, reason, order=None):  # type: ignore[no-untyped-def]
    order = order or person.orders[-1]
    response = api(
        "POST", "/returns/check", person, json={"order_id": str(order["id"]), "reason": reason}
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


RETURN_BODY = {
    "reason": "faulty",
    "description": "No picture on port 2.",
    "proof_of_purchase": "Order confirmation email",
    "photos": ["https://cdn.example/returns/1.jpg"],
    "delivery_address": {
        "address1": "1 Main St",
        "city": "Springfield",
        "zip": "62701",
        "country": "US",
    },
    "phone": "+1 555 0100",
}


@pytest.mark.parametrize(
    ("delivered", "reason", "country", "outcome", "payer"),
    [
        pytest.param(
            10,
            "unwanted",
            None,
            "refund",
            "customer",
            id="day 10, unwanted: refund, customer pays the return",
        ),
        pytest.param(
            10, "faulty", None, "refund", "tesmart", id="day 10, faulty: refund, TESmart pays"
        ),
        pytest.param(
            10,
            "damaged_in_transit",
            None,
            "refund",
            "tesmart",
            id="day 10, damaged in transit counts as faulty",
        ),
        pytest.param(
            30, "unwanted", None, "refund", "customer", id="day 30 is still inside the window"
        ),
        pytest.param(
            31,
            "unwanted",
            None,
            "none",
            "customer",
            id="day 31, unwanted: nothing (trade-in instead)",
        ),
        pytest.param(
            60,
            "faulty",
            None,
            "replacement",
            "tesmart",
            id="day 60, faulty, member: same-model replacement",
        ),
        pytest.param(
            60,
            "faulty",
            "BR",
            "replacement",
            "customer",
            id="day 60, faulty, Brazil: customer pays shipping",
        ),
        pytest.param(10, "misuse", None, "none", "customer", id="misuse: nothing"),
        pytest.param(
            400,
            "faulty",
            None,
            "exchange",
            "tesmart",
            id="past the standard warranty, extension: exchange",
        ),
        pytest.param(
            None, "faulty", None, "none", "customer", id="not delivered yet: nothing to judge"
        ),
    ],
)
def test_return_check(shopper, buy, deliver, api, delivered, reason, country, outcome, payer):  # type: ignore[no-untyped-def]
    ann = shopper(
        "ann@example.com", cohort="2025-11", bought_days_ago=(delivered or 0) + 3, country=country
    )
    if delivered is not None:
        deliver("orders/fulfilled", fulfilled(ann.orders[-1], delivered))
    answer = check(api, ann, reason)
    assert (answer["outcome"], answer["return_shipping_paid_by"]) == (outcome, payer)
    assert answer["reason"]


def test_the_answer_is_in_the_store_language(shopper, deliver, api):  # type: ignore[no-untyped-def]
    eva = shopper("eva@example.com", "eu", cohort="2025-11", bought_days_ago=13)
    deliver("orders/fulfilled", fulfilled(eva.orders[-1], 10), shop="eu")
    assert "zurückgeben" in check(api, eva, "unwanted")["reason"]


def test_a_fulfilled_order_without_a_delivery_day_counts_from_shipping(shopper, deliver, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11", bought_days_ago=40)
    deliver("orders/fulfilled", fulfilled(ann.orders[-1], shipped_days_ago=35))
    assert check(api, ann, "unwanted")["outcome"] == "none"


def test_the_delivery_day_is_read_from_the_admin_api_by_a_job(shopper, fake_admin, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11", bought_days_ago=15)
    order = ann.orders[-1]
    fake_admin.add_product(
        SHOP_DOMAINS["us"],
        title="KVM",
        product_type="KVM Switch",
        product_id=order["line_items"][0]["product_id"],
    )
    fake_admin.add_order(
        SHOP_DOMAINS["us"],
        order_id=order["id"],
        line_items=[
            {
                "price": "129.00",
                "product": f"gid://shopify/Product/{order['line_items'][0]['product_id']}",
            }
        ],
        created_at=ago(15),
        fulfillments=[{"created_at": ago(12), "delivered_at": ago(10), "status": "SUCCESS"}],
    )
    first = check(api, ann, "unwanted")  # nothing known yet: the job is asked to look
    assert first["outcome"] == "none"
    db.session.expire_all()
    row = db.session.execute(select(Order).where(Order.order_id == str(order["id"]))).scalar_one()
    assert row.delivered_at is not None and row.delivered_at.date() == date.fromisoformat(
        ago(10)[:10]
    )
    assert check(api, ann, "unwanted")["outcome"] == "refund"
    assert "OrderGet" in fake_admin.operations_called(SHOP_DOMAINS["us"])


def test_orders_are_found_by_name_too(shopper, deliver, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11", bought_days_ago=13)
    deliver("orders/fulfilled", fulfilled(ann.orders[-1], 10))
    response = api(
        "POST",
        "/returns/check",
        ann,
        json={"order_id": ann.orders[-1]["name"], "reason": "unwanted"},
    )
    assert response.get_json()["outcome"] == "refund"


# --- return requests ------------------------------------------------------------------------------


def test_a_return_request_carries_what_the_policy_asks_for(shopper, deliver, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11", bought_days_ago=13)
    order = ann.orders[-1]
    deliver("orders/fulfilled", fulfilled(order, 10))
    response = api("POST", "/returns", ann, json={**RETURN_BODY, "order_id": str(order["id"])})
    assert response.status_code == 201
    body = response.get_json()["return"]
    assert (body["state"], body["outcome"], body["return_shipping_paid_by"]) == (
        "requested",
        "refund",
        "tesmart",
    )
    row = db.session.get(ReturnRequest, body["id"])
    assert (row.phone, row.photos, row.delivery_address["country"]) == (
        "+1 555 0100",
        RETURN_BODY["photos"],
        "US",
    )
    again = api("POST", "/returns", ann, json={**RETURN_BODY, "order_id": str(order["id"])})
    assert again.status_code == 409


@pytest.mark.parametrize(
    "change",
    [
        {"phone": ""},
        {"proof_of_purchase": None},
        {"photos": ["not a link"]},
        {
            "delivery_address": {
                "address1": "1 Main St",
                "city": "Springfield",
                "zip": "1",
                "country": "usa",
            }
        },
        {"reason": "changed_my_mind"},
    ],
    ids=[
        "no phone",
        "no proof of purchase",
        "photo not a link",
        "country not ISO",
        "unknown reason",
    ],
)
def test_an_incomplete_return_request_is_400(shopper, deliver, api, change):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11", bought_days_ago=13)
    deliver("orders/fulfilled", fulfilled(ann.orders[-1], 10))
    response = api(
        "POST",
        "/returns",
        ann,
        json={**RETURN_BODY, "order_id": str(ann.orders[-1]["id"]), **change},
    )
    assert response.status_code == 400


def test_a_return_that_the_policy_does_not_allow_is_422_with_the_reason(shopper, deliver, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11", bought_days_ago=50)
    deliver("orders/fulfilled", fulfilled(ann.orders[-1], 45))
    response = api(
        "POST",
        "/returns",
        ann,
        json={**RETURN_BODY, "reason": "unwanted", "order_id": str(ann.orders[-1]["id"])},
    )
    assert response.status_code == 422 and "30-day" in response.get_json()["error"]["message"]


# --- the refund clock -----------------------------------------------------------------------------


def test_the_refund_is_due_5_working_days_after_receipt_and_late_ones_are_flagged(
    shopper, deliver, api
):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11", bought_days_ago=13)
    deliver("orders/fulfilled", fulfilled(ann.orders[-1], 10))
    created = api(
        "POST", "/returns", ann, json={**RETURN_BODY, "order_id": str(ann.orders[-1]["id"])}
    ).get_json()["return"]
    friday = date(2026, 11, 20)
    request = returns.mark_received(shop("us"), created["id"], "staff:1", received_on=friday)
    # Mon 23 .. Fri 27 and Mon 30, without Thursday 26 (Thanksgiving, a US public holiday).
    assert request.refund_due_on == date(2026, 11, 30)
    assert returns.flag_late_refunds(today=date(2026, 11, 30)) == 0
    assert returns.flag_late_refunds(today=date(2026, 12, 1)) == 1
    assert returns.flag_late_refunds(today=date(2026, 12, 2)) == 0  # flagged once
    assert [r.id for r in returns.late_refunds(shop("us"), today=date(2026, 12, 2))] == [
        created["id"]
    ]
    done = returns.mark_refunded(
        shop("us"), created["id"], "staff:1", refunded_on=date(2026, 12, 1)
    )
    assert done.state == "refunded"
    refund_row = db.session.execute(
        select(AuditLog).where(
            AuditLog.action == "return.refund", AuditLog.subject_id == str(created["id"])
        )
    ).scalar_one()
    assert refund_row.after["late"] is True


@pytest.mark.parametrize(
    ("region", "received", "due"),
    [
        ("us", date(2026, 11, 20), date(2026, 11, 30)),  # Thanksgiving, Thursday 26 November
        (
            "eu",
            date(2026, 12, 22),
            date(2026, 12, 30),
        ),  # Christmas Day (Fri 25) and Boxing Day (Sat 26)
        ("jp", date(2026, 4, 28), date(2026, 5, 11)),  # Showa Day 29 Apr, Golden Week 3-6 May
    ],
)
def test_the_refund_clock_skips_the_public_holidays_of_the_store_s_country(
    shopper, deliver, api, region, received, due
):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", region, cohort="2025-11", bought_days_ago=13)
    deliver("orders/fulfilled", fulfilled(ann.orders[-1], 10), shop=region)
    created = api(
        "POST", "/returns", ann, json={**RETURN_BODY, "order_id": str(ann.orders[-1]["id"])}
    ).get_json()["return"]
    request = returns.mark_received(shop(region), created["id"], "staff:1", received_on=received)
    assert request.refund_due_on == due


def test_a_refund_in_time_is_not_flagged(shopper, deliver, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11", bought_days_ago=13)
    deliver("orders/fulfilled", fulfilled(ann.orders[-1], 10))
    created = api(
        "POST", "/returns", ann, json={**RETURN_BODY, "order_id": str(ann.orders[-1]["id"])}
    ).get_json()["return"]
    returns.mark_received(shop("us"), created["id"], "staff:1", received_on=date(2026, 11, 20))
    returns.mark_refunded(shop("us"), created["id"], "staff:1", refunded_on=date(2026, 11, 25))
    assert returns.flag_late_refunds(today=date(2026, 12, 31)) == 0
