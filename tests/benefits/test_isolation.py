"""A shopper reaches only their own devices, quotes, trade-ins and orders, in this shop only
(ARCHITECTURE.md invariant 5): anything else is 404, never another's data."""

from __future__ import annotations

import pytest

from tests import payloads
from tests.benefits.conftest import WORN_NO_BOX


@pytest.fixture()
def ann_and_bob(shopper, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11")
    bob = shopper("bob@example.com", cohort="2025-11")
    quote = api(
        "POST", "/trade-in/quote", ann, json={"device_id": ann.device.id, "condition": WORN_NO_BOX}
    ).get_json()
    return ann, bob, quote["quote_id"]


def requests_for(device_id: int, quote_id: int, order_id: str) -> list[tuple[str, str, dict]]:
    return [
        ("POST", "/trade-in/quote", {"device_id": device_id, "condition": WORN_NO_BOX}),
        ("POST", "/warranty-claims", {"device_id": device_id, "description": "broken"}),
        ("POST", f"/devices/{device_id}/serial", {"serial": "STOLEN-1"}),
        ("POST", "/trade-ins", {"quote_id": quote_id, "serial": "STOLEN-1"}),
        ("POST", f"/trade-ins/{quote_id}/tracking", {"tracking_number": "1Z"}),
        ("POST", "/returns/check", {"order_id": order_id, "reason": "faulty"}),
    ]


@pytest.mark.parametrize(
    "index",
    range(6),
    ids=["quote", "warranty claim", "serial", "apply", "tracking", "return check"],
)
def test_another_shoppers_device_is_not_found(ann_and_bob, api, index):  # type: ignore[no-untyped-def]
    ann, bob, quote_id = ann_and_bob
    method, path, body = requests_for(ann.device.id, quote_id, str(ann.orders[0]["id"]))[index]
    response = api(method, path, bob, json=body)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    # and nothing of Ann's changed
    assert ann.device.serial is None


@pytest.mark.parametrize(
    "index",
    range(6),
    ids=["quote", "warranty claim", "serial", "apply", "tracking", "return check"],
)
def test_an_id_from_another_shop_is_never_found(ann_and_bob, shopper, api, index):  # type: ignore[no-untyped-def]
    ann, _, quote_id = ann_and_bob
    # The same person, logged in to the EU store with her EU customer account.
    ann_eu = shopper("ann@example.com", "eu", customer=payloads.customer(email="ann@example.com"))
    method, path, body = requests_for(ann.device.id, quote_id, str(ann.orders[0]["id"]))[index]
    response = api(method, path, ann_eu, json=body)
    assert response.status_code == 404


def test_each_shop_lists_only_its_own_devices(ann_and_bob, shopper, api):  # type: ignore[no-untyped-def]
    ann = ann_and_bob[0]
    ann_eu = shopper("ann@example.com", "eu", customer=payloads.customer(email="ann@example.com"))
    us_ids = [d["id"] for d in api("GET", "/devices", ann).get_json()["devices"]]
    eu_ids = [d["id"] for d in api("GET", "/devices", ann_eu).get_json()["devices"]]
    assert us_ids == [ann.device.id] and eu_ids == [ann_eu.device.id]


def test_the_same_customer_id_in_another_shop_is_another_person(ann_and_bob, api):  # type: ignore[no-untyped-def]
    ann = ann_and_bob[0]
    response = api("GET", "/devices", ann, region="eu")
    assert response.get_json() == {"devices": []}


def test_nobody_logged_in_gets_401(ann_and_bob, api):  # type: ignore[no-untyped-def]
    ann = ann_and_bob[0]
    response = api(
        "POST", "/trade-in/quote", json={"device_id": ann.device.id, "condition": WORN_NO_BOX}
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    "device_id", [0, 2**63, 2**70], ids=["zero", "past BIGINT", "far past BIGINT"]
)
def test_impossible_device_ids_are_simply_not_found(ann_and_bob, api, device_id):  # type: ignore[no-untyped-def]
    ann = ann_and_bob[0]
    response = api("POST", f"/devices/{device_id}/serial", ann, json={"serial": "SN-1"})
    assert response.status_code == 404
