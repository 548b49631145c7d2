"""GET /extension-api/devices and /extension-api/orders/<id>/devices: the customer-account
extension's view of a member's registered devices (the same Device objects as /proxy/devices).

The customer is only the session token's ``sub``; the shop only its ``dest``. Every response is
checked against openapi.yaml by the client (tests/conftest.py).
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from tests import payloads, signing
from tests.activation import activated
from tests.conftest import SHOP_DOMAINS

ORIGIN = "https://extensions.shopifycdn.com"


@pytest.fixture()
def owner(shops, deliver) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A verified customer with two paid orders: a KVM switch, and an extender with a cable."""
    switch = payloads.product(product_type="KVM Switch", title="KVM 4-port")
    extender = payloads.product(product_type="KVM Extender", title="Extender 100 m")
    cable = payloads.product(product_type="Cable", title="HDMI cable")
    for product in (switch, extender, cable):
        deliver("products/create", product)
    customer = payloads.customer(
        email="owner@example.com", verified_email=True, updated_at="2026-11-21T00:00:00Z"
    )
    deliver("customers/create", customer)
    activated("owner@example.com", "2026-11-21T00:00:00Z")
    first = payloads.order(
        customer_block=customer,
        created_at="2026-01-10T12:00:00-05:00",
        lines=[payloads.line_item(switch["id"], "189.99", title="KVM 4-port")],
    )
    second = payloads.order(
        customer_block=customer,
        created_at="2026-06-02T12:00:00-05:00",
        lines=[
            payloads.line_item(extender["id"], "349.99", title="Extender 100 m"),
            payloads.line_item(cable["id"], "12.99", title="HDMI cable"),
        ],
    )
    for order in (first, second):
        assert deliver("orders/paid", order).status_code == 200
    return {"customer": customer, "orders": (first, second)}


def get(client, path: str, *, shop: str = "us", sub: str = "", **token_kwargs: Any):  # type: ignore[no-untyped-def]
    token = signing.session_token(SHOP_DOMAINS.get(shop, shop), sub=sub, **token_kwargs)
    return client.get(
        f"/extension-api{path}", headers={"Authorization": f"Bearer {token}", "Origin": ORIGIN}
    )


def gid(customer: dict[str, Any]) -> str:
    return f"gid://shopify/Customer/{customer['id']}"


def test_a_member_sees_every_registered_device_with_its_warranty(owner, client) -> None:  # type: ignore[no-untyped-def]
    response = get(client, "/devices", sub=gid(owner["customer"]))
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cache-Control"] == "private, no-store"
    devices = response.get_json()["devices"]
    by_title = {d["title"]: d for d in devices}
    assert set(by_title) >= {"KVM 4-port", "Extender 100 m"}
    switch = by_title["KVM 4-port"]
    assert switch["category"] == "kvm_switch" and switch["currency"] == "USD"
    assert switch["purchased_at"] == "2026-01-10"
    assert switch["standard_warranty_end"] == "2027-01-10"  # 12 months in the US
    assert switch["extended_warranty_end"] == "2029-01-10"  # 36 months for an active 2025-11 ID


def test_one_orders_devices_only(owner, client) -> None:  # type: ignore[no-untyped-def]
    first, second = owner["orders"]
    only_first = get(
        client, f"/orders/{first['id']}/devices", sub=gid(owner["customer"])
    ).get_json()["devices"]
    assert [d["title"] for d in only_first] == ["KVM 4-port"]
    only_second = get(
        client, f"/orders/{second['id']}/devices", sub=gid(owner["customer"])
    ).get_json()["devices"]
    assert "KVM 4-port" not in {d["title"] for d in only_second}
    assert {d["order_name"] for d in only_second} == {second["name"]}


@pytest.mark.parametrize("order_id", ["not-a-number", "0x1f", "-1"])
def test_an_order_id_that_is_not_shopify_s_number_has_no_devices(owner, client, order_id) -> None:  # type: ignore[no-untyped-def]
    response = get(client, f"/orders/{order_id}/devices", sub=gid(owner["customer"]))
    assert response.status_code == 200
    assert response.get_json() == {"devices": []}


@pytest.mark.parametrize(
    ("who", "shop"),
    [("guest", "us"), ("another customer", "us"), ("the owner, in another shop", "eu")],
    ids=["guest", "another customer", "other shop"],
)
def test_nobody_else_sees_the_devices(owner, client, deliver, who, shop) -> None:  # type: ignore[no-untyped-def]
    sub = ""
    if who == "another customer":
        stranger = payloads.customer(email="stranger@example.com", verified_email=True)
        deliver("customers/create", stranger)
        sub = gid(stranger)
    elif who.startswith("the owner"):
        sub = gid(owner["customer"])
    first, _ = owner["orders"]
    for path in ("/devices", f"/orders/{first['id']}/devices"):
        response = get(client, path, shop=shop, sub=sub)
        assert response.status_code == 200
        assert response.get_json() == {"devices": []}


@pytest.mark.parametrize(
    "token_kwargs",
    [{"secret": "forged"}, {"expires_in": -120}, {"api_key": "another-app"}],
    ids=["forged signature", "expired", "other app's audience"],
)
def test_a_bad_session_token_is_refused(owner, client, token_kwargs) -> None:  # type: ignore[no-untyped-def]
    first, _ = owner["orders"]
    for path in ("/devices", f"/orders/{first['id']}/devices", "/orders/not-a-number/devices"):
        response = get(client, path, sub=gid(owner["customer"]), **token_kwargs)
        assert response.status_code == 401, path
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert response.get_json()["error"]["code"]


def test_a_shop_without_the_app_is_a_404(owner, client) -> None:  # type: ignore[no-untyped-def]
    response = get(client, "/devices", shop="tesmart-fr.myshopify.com", sub=gid(owner["customer"]))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "unknown_shop"


@pytest.mark.parametrize("path", ["/devices", "/orders/1001/devices"])
def test_preflight_needs_no_token(shops, client, path) -> None:  # type: ignore[no-untyped-def]
    response = client.options(
        f"/extension-api{path}", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"}
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Authorization" in response.headers["Access-Control-Allow-Headers"]


# Real commits: inside the rolled-back test transaction no read can run without one.
@pytest.mark.commits
def test_the_reads_run_without_a_transaction_and_give_the_connection_back(
    owner, client, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """On PostgreSQL the extension's reads run in autocommit: no BEGIN/ROLLBACK, and psycopg keeps
    its prepared statements; after the answer (an error answer too) writes are a transaction."""
    from plugin.benefits import devices as device_reads
    from plugin.extension_api import devices as view
    from plugin.extensions import db
    from plugin.models import Shop

    seen: list[bool] = []
    payload = device_reads.devices_payload

    def watched(*args, **kwargs):  # type: ignore[no-untyped-def]
        driver = db.session.connection().connection.driver_connection
        seen.append(getattr(driver, "autocommit", False) is True)
        return payload(*args, **kwargs)

    monkeypatch.setattr(view, "devices_payload", watched)
    postgres = db.engine.dialect.name == "postgresql"
    for _ in range(2):
        db.session.commit()  # idle, as a worker's session is between requests
        assert get(client, "/devices", sub=gid(owner["customer"])).status_code == 200
        db.session.commit()
        assert (
            get(client, "/devices", sub=gid(owner["customer"]), expires_in=-120).status_code == 401
        )
        us = db.session.execute(select(Shop).where(Shop.domain == SHOP_DOMAINS["us"])).scalar_one()
        us.name = "changed"
        db.session.flush()
        db.session.rollback()
        db.session.expire_all()
        assert db.session.get(Shop, us.id).name != "changed"
    assert seen == [postgres, postgres]
