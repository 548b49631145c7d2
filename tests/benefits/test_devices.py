"""GET /proxy/devices and serial numbers: warranty ends and trade-in eligibility by cohort,
category and delivery country (POLICY.md 1, 4, 5)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from plugin.benefits.devices import devices_payload
from plugin.extensions import db
from plugin.program.calendar import add_months
from tests.benefits.conftest import shop


def purchased(days: int, region: str = "us") -> date:
    """The store-local purchase day of an order placed ``days`` ago (POLICY.md 1)."""
    from plugin import clock

    return clock.local_day(clock.now() - timedelta(days=days), clock.zone(None, region))


@pytest.mark.parametrize(
    ("cohort", "region", "product", "country", "standard_months", "extended", "trade_in_kind"),
    [
        pytest.param(
            "2025-11",
            "us",
            "switch",
            None,
            12,
            True,
            "recovery_value",
            id="2025-11, US switch: 1 year, extended to 3, recovery value",
        ),
        pytest.param(
            "2025-11",
            "eu",
            "switch",
            None,
            24,
            True,
            "recovery_value",
            id="2025-11, DE switch: 2 years statutory, extended to 3",
        ),
        pytest.param(
            "2025-11",
            "us",
            "extender",
            None,
            12,
            True,
            "recovery_value",
            id="2025-11 covers KVM extenders",
        ),
        pytest.param(
            "2025-04",
            "us",
            "extender",
            None,
            12,
            False,
            "none",
            id="2025-04: extenders not covered, no trade-in",
        ),
        pytest.param(
            "legacy",
            "jp",
            "switch",
            None,
            12,
            True,
            "discount_on_new",
            id="legacy, JP switch: extended, 40% discount",
        ),
        pytest.param(
            "legacy",
            "us",
            "switch",
            "BR",
            12,
            False,
            "none",
            id="legacy outside US/EU/JP: no extension, no trade-in",
        ),
        pytest.param(
            "2025-11",
            "us",
            "switch",
            "BR",
            12,
            True,
            "recovery_value",
            id="2025-11 serves every region",
        ),
        pytest.param(
            "2025-11",
            "us",
            "switch",
            "GB",
            12,
            True,
            "recovery_value",
            id="UK delivery: 1 year statutory",
        ),
    ],
)
def test_device_warranty_and_trade_in_by_cohort(
    shopper, api, cohort, region, product, country, standard_months, extended, trade_in_kind
):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", region, cohort=cohort, product=product, country=country)
    body = api("GET", "/devices", ann).get_json()
    [device] = body["devices"]
    bought = purchased(200, region)
    assert device["purchased_at"] == bought.isoformat()
    assert device["standard_warranty_end"] == add_months(bought, standard_months).isoformat()
    assert device["extended_warranty_end"] == (
        add_months(bought, 36).isoformat() if extended else None
    )
    assert device["warranty"] == {
        "claim_available": False,
        "reason": device["warranty"]["reason"],
        "claim": None,
    }
    assert device["trade_in"]["kind"] == trade_in_kind
    assert device["trade_in"]["eligible"] is (trade_in_kind != "none")
    assert device["trade_in"]["status"] is None
    assert device["replacement_used"] is False


def test_accessories_are_not_registered_devices(shopper, buy, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com")
    buy(ann, product="cable", price="9.99")
    assert [d["category"] for d in api("GET", "/devices", ann).get_json()["devices"]] == [
        "kvm_switch"
    ]


def test_a_young_device_shows_what_it_will_get_and_when(shopper, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11", bought_days_ago=30)
    trade_in = api("GET", "/devices", ann).get_json()["devices"][0]["trade_in"]
    assert trade_in == {
        "eligible": False,
        "kind": "recovery_value",
        "earliest_on": (purchased(30) + timedelta(days=90)).isoformat(),
        "status": None,
    }


def test_a_member_activated_by_logging_in_gets_the_2025_11_benefits(shopper, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com")  # pending until seen logged in
    device = api("GET", "/devices", ann).get_json()["devices"][0]
    assert device["extended_warranty_end"] == add_months(purchased(200), 36).isoformat()
    assert device["trade_in"]["kind"] == "recovery_value"


def test_the_device_list_speaks_the_store_language(shopper, api):  # type: ignore[no-untyped-def]
    kenji = shopper("kenji@example.com", "jp", cohort="2025-11")
    reason = api("GET", "/devices", kenji).get_json()["devices"][0]["warranty"]["reason"]
    assert "保証" in reason


def test_a_cancelled_member_keeps_the_statutory_warranty_and_loses_the_benefits(shopper, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11")
    member = ann.member
    member.state = "cancelled"
    db.session.commit()
    device = api("GET", "/devices", ann).get_json()["devices"][0]
    assert device["standard_warranty_end"] == add_months(purchased(200), 12).isoformat()
    assert device["extended_warranty_end"] is None
    # Judged as a customer without an ID, after 2025-11-01: free recycling only.
    assert device["trade_in"]["kind"] == "recycle_only"


def test_anonymous_visitors_have_no_devices(shops, api):  # type: ignore[no-untyped-def]
    response = api("GET", "/devices")
    assert response.status_code == 401


def test_devices_payload_can_be_limited_to_one_order(shopper, buy):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11")
    second = buy(ann, days=100)
    views = devices_payload(shop("us"), ann.member, order_id=str(second["id"]))
    assert [v["purchased_at"] for v in views] == [purchased(100).isoformat()]


# --- serial numbers ----------------------------------------------------------------------------


def test_registering_a_serial_number(shopper, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11")
    device_id = ann.device.id
    response = api(
        "POST", f"/devices/{device_id}/serial", ann, json={"serial": " tes-hk0402-a1b2 "}
    )
    assert response.status_code == 200
    assert response.get_json()["serial"] == "TES-HK0402-A1B2"
    again = api("POST", f"/devices/{device_id}/serial", ann, json={"serial": "TES-HK0402-A1B2"})
    assert again.status_code == 200


def test_a_serial_number_is_unique_per_shop(shopper, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11")
    bob = shopper("bob@example.com", cohort="2025-11")
    assert (
        api("POST", f"/devices/{ann.device.id}/serial", ann, json={"serial": "SN-1"}).status_code
        == 200
    )
    taken = api("POST", f"/devices/{bob.device.id}/serial", bob, json={"serial": "sn-1"})
    assert taken.status_code == 409
    assert taken.get_json()["error"]["code"] == "serial_taken"
    # Another shop is another namespace of serials.
    eva = shopper("eva@example.com", "eu", cohort="2025-11")
    assert (
        api("POST", f"/devices/{eva.device.id}/serial", eva, json={"serial": "SN-1"}).status_code
        == 200
    )


@pytest.mark.parametrize(
    "serial",
    ["", "   ", "a b", "x" * 65, 12345, None],
    ids=["empty", "blank", "space inside", "too long", "number", "null"],
)
def test_a_malformed_serial_is_refused(shopper, api, serial):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11")
    response = api("POST", f"/devices/{ann.device.id}/serial", ann, json={"serial": serial})
    assert response.status_code == 400
