"""Cache-Control of the storefront API: what every visitor sees alike may be cached for a minute
(anonymous GET /member and /rewards); anything personal, any write and any error never is."""

from __future__ import annotations

from typing import Any

import pytest

from tests import payloads

PUBLIC = "public, max-age=60"
PRIVATE = "private, no-store"


@pytest.fixture()
def ann(shops, deliver) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    customer = payloads.customer(email="ann.cache@example.com", verified_email=True)
    deliver("customers/create", customer)
    return customer


@pytest.mark.parametrize(
    ("path", "region"),
    [("/member", "us"), ("/rewards", "us"), ("/member", "jp"), ("/rewards", "kr")],
    ids=["member us", "rewards us", "member jp", "rewards kr"],
)
def test_anonymous_program_and_catalogue_are_public_for_a_minute(ann, proxy, path, region) -> None:  # type: ignore[no-untyped-def]
    response = proxy("GET", path, shop=region)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == PUBLIC
    body = response.get_json()
    # Nothing personal may sit in a shared cache.
    if path == "/member":
        assert body["logged_in"] is False and body["points"] is None and body["referral"] is None
    else:
        assert body["balance"] is None and body["can_redeem"] is False
        assert body["rewards"] and not any(r["affordable"] for r in body["rewards"])


@pytest.mark.parametrize(
    "path",
    ["/member", "/rewards", "/redemptions", "/referral", "/devices", "/trade-ins", "/ctrl-f"],
)
def test_what_a_logged_in_customer_sees_is_never_stored(ann, proxy, path) -> None:  # type: ignore[no-untyped-def]
    response = proxy("GET", path, customer=ann["id"])
    assert response.status_code == 200, response.get_json()
    assert response.headers["Cache-Control"] == PRIVATE


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/devices", None),
        ("GET", "/referral", None),
        ("POST", "/redemptions", {"reward_id": 1}),
        ("POST", "/activities", {"kind": "survey", "survey_id": "s1"}),
    ],
    ids=["devices", "referral", "redeem", "survey"],
)
def test_answers_to_anonymous_personal_requests_are_never_stored(
    ann, proxy, method, path, body
) -> None:  # type: ignore[no-untyped-def]
    response = proxy(method, path, json=body)
    assert response.status_code == 401
    assert "no-store" in response.headers["Cache-Control"]
    assert "public" not in response.headers["Cache-Control"]


def test_a_write_is_never_stored(ann, proxy) -> None:  # type: ignore[no-untyped-def]
    from plugin.points.activities import DEFAULT_SURVEYS

    response = proxy(
        "POST",
        "/activities",
        customer=ann["id"],
        json={"kind": "survey", "survey_id": DEFAULT_SURVEYS[0]},
    )
    assert response.status_code == 200, response.get_json()
    assert response.headers["Cache-Control"] == PRIVATE
