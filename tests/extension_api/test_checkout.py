"""POST /extension-api/checkout: session-token verified, CORS, the member's own data only."""

from __future__ import annotations

from typing import Any

import pytest

from tests import payloads, signing
from tests.activation import activated
from tests.conftest import SHOP_DOMAINS


@pytest.fixture()
def member_with_points(shops, deliver) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    switch = payloads.product(product_type="KVM Switch", title="KVM 4-port")
    cable = payloads.product(product_type="Cable", title="Cable")
    deliver("products/create", switch)
    deliver("products/create", cable)
    customer = payloads.customer(
        email="ann@example.com", verified_email=True, updated_at="2026-11-21T00:00:00Z"
    )
    deliver("customers/create", customer)
    activated("ann@example.com", "2026-11-21T00:00:00Z")
    return {"customer": customer, "switch": switch, "cable": cable}


def call(client, body: Any, shop: str = "us", sub: str | None = None, **token_kwargs: Any):  # type: ignore[no-untyped-def]
    claims = {"sub": sub} if sub else {}
    token = signing.session_token(SHOP_DOMAINS.get(shop, shop), **claims, **token_kwargs)
    if not sub:
        token = signing.session_token(SHOP_DOMAINS.get(shop, shop), sub="", **token_kwargs)
    return client.post(
        "/extension-api/checkout",
        json=body,
        headers={"Authorization": f"Bearer {token}", "Origin": "https://extensions.shopifycdn.com"},
    )


def cart(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "lines": [
            {
                "product_id": f"gid://shopify/Product/{data['switch']['id']}",
                "quantity": 1,
                "amount": "189.99",
            },
            {
                "product_id": f"gid://shopify/Product/{data['cable']['id']}",
                "quantity": 1,
                "amount": "12.99",
            },
        ],
        "currency": "USD",
        "subtotal": "202.98",
    }


def test_member_sees_points_balance_and_warranty(member_with_points, client) -> None:  # type: ignore[no-untyped-def]
    customer_gid = f"gid://shopify/Customer/{member_with_points['customer']['id']}"
    response = call(client, cart(member_with_points), sub=customer_gid)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    body = response.get_json()
    assert body["member"] == {"status": "active", "cohort": "2025-11", "balance": 100}
    assert body["points_to_earn"] == 2000
    by_category = {w["category"]: w for w in body["warranty"]}
    assert by_category["kvm_switch"]["standard_warranty_months"] == 12
    assert by_category["kvm_switch"]["extended_warranty_months"] == 36
    assert by_category["accessory"]["extended_warranty_months"] is None


def test_guest_checkout_gets_no_member_data(member_with_points, client) -> None:  # type: ignore[no-untyped-def]
    body = call(client, cart(member_with_points)).get_json()
    assert body["member"] is None and body["reward_codes"] == [] and body["points_to_earn"] == 0


def test_token_of_another_shop_sees_nothing_of_this_one(member_with_points, client) -> None:  # type: ignore[no-untyped-def]
    customer_gid = f"gid://shopify/Customer/{member_with_points['customer']['id']}"
    body = call(client, cart(member_with_points), shop="eu", sub=customer_gid).get_json()
    assert body["member"] is None
    assert body["warranty"] == []  # the US shop's products are not the EU shop's


@pytest.mark.parametrize(
    "token_kwargs",
    [{"secret": "forged"}, {"expires_in": -120}, {"api_key": "another-app"}],
    ids=["forged signature", "expired", "other app's audience"],
)
def test_bad_session_token_is_refused(member_with_points, client, token_kwargs) -> None:  # type: ignore[no-untyped-def]
    response = call(
        client, cart(member_with_points), sub="gid://shopify/Customer/1", **token_kwargs
    )
    assert response.status_code == 401
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_preflight_needs_no_token(shops, client) -> None:  # type: ignore[no-untyped-def]
    response = client.options(
        "/extension-api/checkout",
        headers={
            "Origin": "https://extensions.shopifycdn.com",
            "Access-Control-Request-Method": "POST",
        },
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Authorization" in response.headers["Access-Control-Allow-Headers"]


@pytest.mark.parametrize(
    "body", [[], {"lines": "x"}, {"lines": [{"quantity": 1}]}, {"lines": [], "subtotal": "abc"}]
)
def test_malformed_cart_is_a_400(member_with_points, client, body) -> None:  # type: ignore[no-untyped-def]
    assert call(client, body).status_code == 400
