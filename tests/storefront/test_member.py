"""GET /proxy/member: signed like the app proxy; the customer's own data and nobody else's."""

from __future__ import annotations

import time

import pytest

from plugin.extensions import db
from plugin.models import Member
from tests import payloads


@pytest.fixture()
def ann(shops, deliver):  # type: ignore[no-untyped-def]
    customer = payloads.customer(email="ann@example.com")
    deliver("customers/create", customer)
    return customer


def check_contract(body) -> None:  # type: ignore[no-untyped-def]
    try:
        from tests.contract.openapi_check import assert_matches_openapi
    except ImportError:  # the contract helper lands with openapi.yaml
        return
    assert_matches_openapi("get", "/proxy/member", 200, body)


def test_logged_in_customer_sees_their_id_and_balance(ann, proxy) -> None:  # type: ignore[no-untyped-def]
    response = proxy("GET", "/member", customer=ann["id"])
    assert response.status_code == 200
    body = response.get_json()
    check_contract(body)
    # Seen logged in on the storefront: the ID is activated (POLICY.md 2).
    assert body["tesmart_id"]["status"] == "active"
    assert body["tesmart_id"]["cohort"] == "2025-11"
    assert body["points"]["balance"] == 100
    assert body["shop"]["currency"] == "USD"
    assert response.headers["Cache-Control"] == "private, no-store"


def test_anonymous_visitor_sees_the_program_and_nothing_personal(ann, proxy) -> None:  # type: ignore[no-untyped-def]
    response = proxy("GET", "/member")
    body = response.get_json()
    check_contract(body)
    assert body["logged_in"] is False
    assert body["tesmart_id"] == {
        "status": "none",
        "cohort": None,
        "registered_at": None,
        "activated_at": None,
    }
    assert body["points"] is None and body["referral"] is None
    assert body["earning"]["order"] == 2000
    assert "public" in response.headers["Cache-Control"]


def test_customer_of_another_shop_sees_nothing_of_this_one(ann, proxy) -> None:  # type: ignore[no-untyped-def]
    # The same Shopify customer id in the EU shop is another person there.
    body = proxy("GET", "/member", shop="eu", customer=ann["id"]).get_json()
    assert body["tesmart_id"]["status"] == "none"
    assert body["points"] == {"balance": 0, "expiring": None}


def test_unknown_customer_id_is_not_someone_else(ann, proxy) -> None:  # type: ignore[no-untyped-def]
    body = proxy("GET", "/member", customer=ann["id"] + 1).get_json()
    assert body["tesmart_id"]["status"] == "none"
    assert body["points"]["balance"] == 0


def test_pending_id_before_the_customer_is_seen(ann, proxy) -> None:  # type: ignore[no-untyped-def]
    member = db.session.query(Member).one()
    assert member.activated_at is None


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"secret": "forged"}, "invalid_signature"),
        ({"timestamp": int(time.time()) - 600}, "timestamp_too_old"),
    ],
)
def test_forged_or_stale_proxy_signature_is_refused(ann, proxy, kwargs, code) -> None:  # type: ignore[no-untyped-def]
    response = proxy("GET", "/member", customer=ann["id"], **kwargs)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == code
    db.session.expire_all()
    assert db.session.query(Member).one().activated_at is None  # nothing written


def test_unsigned_request_is_refused(ann, client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(
        f"/proxy/member?shop=tesmart-us.myshopify.com&logged_in_customer_id={ann['id']}"
    )
    assert response.status_code == 401


def test_unknown_shop_is_refused(ann, proxy) -> None:  # type: ignore[no-untyped-def]
    response = proxy("GET", "/member", shop="elsewhere.myshopify.com", customer=ann["id"])
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "unknown_shop"


def test_logged_in_customer_unknown_to_the_app_is_fetched_and_activated(
    shops, proxy, fake_admin
) -> None:  # type: ignore[no-untyped-def]
    gid = fake_admin.add_customer(
        "tesmart-us.myshopify.com", email="new@example.com", verified_email=False
    )
    customer_id = gid.rsplit("/", 1)[-1]
    proxy("GET", "/member", customer=customer_id)  # the first visit starts the fetch
    body = proxy("GET", "/member", customer=customer_id).get_json()
    assert body["tesmart_id"]["status"] == "active"
