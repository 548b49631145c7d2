"""No 5xx from the storefront, the extension API, the admin forms and the exports, signed or not
(issue 15): parsing catches recursion, overflow and encoding errors; every id is bounded; every
decimal is finite and range-checked where it enters."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import select

from plugin.extensions import db
from plugin.models import PointEntry, Redemption, Reward
from plugin.models.types import utcnow
from tests import payloads, signing
from tests.admin.conftest import admin_post  # noqa: F401  (fixture)
from tests.conftest import SHOP_DOMAINS
from tests.security.conftest import count

DEEP = "[" * 10_000 + "]" * 10_000
DEEP_OBJECT = '{"a":' * 10_000 + "1" + "}" * 10_000
PROXY_POSTS = [
    "/activities",
    "/returns/check",
    "/returns",
    "/redemptions",
    "/trade-in/quote",
    "/trade-ins",
    "/warranty-claims",
]


@pytest.fixture()
def member(shops, deliver) -> int:  # type: ignore[no-untyped-def]
    from plugin import ledger
    from plugin.accounts import activate, member_for_customer

    customer = payloads.customer(email="hostile@example.com")
    deliver("customers/create", customer)
    who = member_for_customer(shops["us"], str(customer["id"]))
    activate(who, utcnow(), "test")
    ledger.post_entry(
        shop_id=shops["us"].id,
        member_id=who.id,
        delta=5000,
        kind="adjustment",
        cause_key="test:hostile",
    )
    db.session.commit()
    return int(customer["id"])


def signed_post(client, path: str, customer: int, raw: str) -> Any:  # type: ignore[no-untyped-def]
    query = signing.proxy_query(SHOP_DOMAINS["us"], str(customer))
    return client.post(f"/proxy{path}?{query}", data=raw, content_type="application/json")


@pytest.mark.parametrize(
    "raw",
    [DEEP, DEEP_OBJECT, '{"reward_id": ' + "9" * 5000 + "}", '{"a": NaN}'],
    ids=["deep-list", "deep-object", "huge-int", "nan"],
)
@pytest.mark.parametrize("path", PROXY_POSTS)
def test_signed_proxy_bodies_that_cannot_be_parsed_are_a_400(member, client, path, raw) -> None:  # type: ignore[no-untyped-def]
    entries = count(PointEntry)
    response = signed_post(client, path, member, raw)
    assert response.status_code == 400, (
        response.status_code,
        response.get_data(as_text=True)[:300],
    )
    assert response.get_json()["error"]["code"]
    assert count(PointEntry) == entries


@pytest.mark.parametrize("path", ["/returns/check", "/returns", "/activities", "/trade-ins"])
def test_a_lone_surrogate_is_a_400(member, client, path) -> None:  # type: ignore[no-untyped-def]
    raw = (
        '{"order_id": "\\ud800", "reason": "faulty", "kind": "survey", "survey_id": "\\ud800", '
        '"serial": "\\ud800"}'
    )
    response = signed_post(client, path, member, raw)
    assert response.status_code == 400, (
        response.status_code,
        response.get_data(as_text=True)[:300],
    )


@pytest.mark.parametrize("reward_id", [2**63, 2**64, 2**70, -(2**63) - 1])
def test_a_reward_id_beyond_bigint_is_a_400(member, proxy, reward_id) -> None:  # type: ignore[no-untyped-def]
    response = proxy("POST", "/redemptions", customer=member, json={"reward_id": reward_id})
    assert response.status_code == 400
    assert count(Redemption) == 0


def checkout(client, body: Any, raw: str | None = None) -> Any:  # type: ignore[no-untyped-def]
    token = signing.session_token(SHOP_DOMAINS["us"], sub="")
    headers = {"Authorization": f"Bearer {token}", "Origin": "https://extensions.shopifycdn.com"}
    if raw is not None:
        return client.post(
            "/extension-api/checkout", data=raw, content_type="application/json", headers=headers
        )
    return client.post("/extension-api/checkout", json=body, headers=headers)


@pytest.mark.parametrize("raw", [DEEP, '{"id": ' + "9" * 5000 + "}", "[" * 100_000])
def test_the_checkout_api_without_a_token_is_a_401_whatever_the_body(shops, client, raw) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/extension-api/checkout", data=raw, content_type="application/json")
    assert response.status_code == 401


@pytest.mark.parametrize(
    "subtotal",
    ["NaN", "Infinity", "-Infinity", "sNaN", "1e999999", "-5", "1e30"],
)
def test_checkout_subtotals_must_be_finite_and_in_range(shops, client, subtotal) -> None:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    response = checkout(client, {"lines": [], "subtotal": subtotal})
    assert response.status_code == 400, (
        response.status_code,
        response.get_data(as_text=True)[:200],
    )
    assert time.monotonic() - started < 5.0  # 1e999999 took ~100 s of CPU


@pytest.mark.parametrize(
    "raw",
    [
        '{"lines": [], "subtotal": NaN}',
        '{"lines": [], "subtotal": Infinity}',
        '{"lines": [], "subtotal": 1e999999}',
    ],
)
def test_checkout_json_numbers_must_be_finite(shops, client, raw) -> None:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    response = checkout(client, None, raw=raw)
    assert response.status_code == 400, (
        response.status_code,
        response.get_data(as_text=True)[:200],
    )
    assert time.monotonic() - started < 5.0  # 1e999999 took ~100 s of CPU


@pytest.mark.parametrize(
    "amount", ["1e30", "1e999999", "NaN", "Infinity", "99999999999999999999999999999"]
)
def test_an_admin_reward_amount_out_of_range_is_a_422(shops, admin_post, amount) -> None:  # type: ignore[no-untyped-def]
    before = count(Reward)
    response = admin_post(
        "/admin/rewards", {"points": "3000", "kind": "fixed_amount", "amount": amount}
    )
    assert response.status_code == 422, response.status_code
    assert count(Reward) == before
    assert db.session.execute(select(Reward).where(Reward.points == 3000)).first() is None
