"""Points for activities (POLICY.md 3): a survey (800, once per survey) from the storefront, and a
review (100, 200 with photos, once per product per member) from a signed review integration."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from plugin.extensions import db
from plugin.integrations import rotate_integration_secret, sign
from plugin.models import AuditLog, Shop, SurveyCompletion
from tests.conftest import SHOP_DOMAINS
from tests.contract.openapi_check import assert_response_matches_openapi
from tests.rewards.conftest import balance


def test_a_survey_earns_800_points_once(shops, make_member, proxy) -> None:  # type: ignore[no-untyped-def]
    member, customer = make_member(shops["us"], "ann@example.com", points=100)
    first = proxy(
        "POST",
        "/activities",
        customer=customer,
        json={"kind": "survey", "survey_id": "member-profile"},
    )
    assert_response_matches_openapi(first)
    assert first.get_json() == {"points_awarded": 800, "balance": 900}
    again = proxy(
        "POST",
        "/activities",
        customer=customer,
        json={"kind": "survey", "survey_id": "member-profile"},
    )
    assert again.get_json() == {"points_awarded": 0, "balance": 900}
    assert balance(shops["us"].id, member.id) == 900
    assert db.session.execute(select(SurveyCompletion.survey_id)).scalars().all() == [
        "member-profile"
    ]


def test_each_survey_the_shop_runs_counts_once(shops, make_member, proxy) -> None:  # type: ignore[no-untyped-def]
    shop = db.session.get(Shop, shops["eu"].id)
    shop.settings = {"surveys": ["setup-2026-spring", {"id": "kvm-usage"}]}
    db.session.commit()
    member, customer = make_member(shops["eu"], "eva@example.de")
    awarded = [
        proxy(
            "POST",
            "/activities",
            shop="eu",
            customer=customer,
            json={"kind": "survey", "survey_id": survey},
        ).get_json()["points_awarded"]
        for survey in ("setup-2026-spring", "kvm-usage", "setup-2026-spring")
    ]
    assert awarded == [800, 800, 0]
    unknown = proxy(
        "POST",
        "/activities",
        shop="eu",
        customer=customer,
        json={"kind": "survey", "survey_id": "member-profile"},
    )
    assert unknown.status_code == 404
    assert_response_matches_openapi(unknown)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"kind": "review", "survey_id": "member-profile"}, 400, "invalid_request"),
        ({"kind": "survey"}, 400, "invalid_request"),
        ({"kind": "survey", "survey_id": "x" * 65}, 400, "invalid_request"),
        ({"kind": "survey", "survey_id": "made-up"}, 404, "not_found"),
    ],
    ids=[
        "reviews_only_from_the_integration",
        "no_survey",
        "survey_id_too_long",
        "survey_the_shop_does_not_run",
    ],
)
def test_bad_activities_are_refused_and_earn_nothing(
    shops, make_member, proxy, body, status, code
) -> None:  # type: ignore[no-untyped-def]
    member, customer = make_member(shops["us"], "ann@example.com")
    response = proxy("POST", "/activities", customer=customer, json=body)
    assert (response.status_code, response.get_json()["error"]["code"]) == (status, code)
    assert_response_matches_openapi(response)
    assert balance(shops["us"].id, member.id) == 0


def test_activities_need_a_logged_in_member(shops, proxy) -> None:  # type: ignore[no-untyped-def]
    response = proxy("POST", "/activities", json={"kind": "survey", "survey_id": "member-profile"})
    assert response.status_code == 401
    assert_response_matches_openapi(response)


# --- the review integration ------------------------------------------------------------------


@pytest.fixture()
def review_app(client, shops):  # type: ignore[no-untyped-def]
    """A review app holding the US shop's integration secret."""
    secret = rotate_integration_secret(db.session.get(Shop, shops["us"].id), actor="staff:1")

    def post(
        payload: Any, *, shop: str = "us", key: str | None = None, raw: bytes | None = None
    ) -> Any:
        body = raw if raw is not None else json.dumps(payload).encode()
        return client.post(
            "/integrations/reviews",
            data=body,
            headers={
                "Content-Type": "application/json",
                "X-Shopify-Shop-Domain": SHOP_DOMAINS.get(shop, shop),
                "X-TESmart-Signature": sign(key or secret, body),
            },
        )

    post.secret = secret  # type: ignore[attr-defined]
    return post


def review(
    customer: str, product: str = "8123456789", photos: bool = False, review_id: str = "r-1"
) -> dict[str, Any]:
    return {
        "review_id": review_id,
        "customer_id": customer,
        "product_id": product,
        "with_photos": photos,
    }


@pytest.mark.parametrize(
    ("photos", "awarded"),
    [
        ([False], [100]),
        ([True], [200]),
        ([False, False], [100, 0]),
        ([False, True], [100, 100]),
        ([True, False], [200, 0]),
        ([True, True], [200, 0]),
        ([False, True, True], [100, 100, 0]),
    ],
    ids=[
        "plain",
        "with_photos",
        "plain_twice",
        "photos_replace_the_100",
        "plain_after_photos",
        "photos_twice",
        "top_up_once",
    ],
)
def test_review_points_once_per_product_with_photos_replacing_the_100(
    shops, make_member, review_app, photos, awarded
) -> None:  # type: ignore[no-untyped-def]
    member, customer = make_member(shops["us"], "ann@example.com")
    got = []
    for index, with_photos in enumerate(photos):
        response = review_app(review(customer, photos=with_photos, review_id=f"r-{index}"))
        assert response.status_code == 200
        assert_response_matches_openapi(response)
        got.append(response.get_json()["points_awarded"])
    assert got == awarded
    assert balance(shops["us"].id, member.id) == sum(awarded)


def test_another_product_earns_again_and_email_identifies_the_member_too(
    shops, make_member, review_app
) -> None:  # type: ignore[no-untyped-def]
    member, customer = make_member(shops["us"], "ann@example.com")
    assert review_app(review(customer, product="1")).get_json()["points_awarded"] == 100
    assert (
        review_app(review(customer, product="1", review_id="r-2")).get_json()["points_awarded"] == 0
    )
    by_email = {
        "review_id": "r-9",
        "email": " Ann@Example.com ",
        "product_id": "gid://shopify/Product/2",
        "with_photos": True,
    }
    assert review_app(by_email).get_json()["points_awarded"] == 200
    assert balance(shops["us"].id, member.id) == 300  # 100 for product 1, 200 for product 2


@pytest.mark.parametrize(
    ("case", "status"),
    [
        ("wrong_secret", 401),
        ("other_shops_secret", 401),
        ("unknown_shop", 404),
        ("not_json", 400),
        ("unknown_customer", 404),
        ("missing_product", 400),
        ("photos_not_boolean", 400),
    ],
)
def test_bad_review_calls_are_refused(shops, make_member, review_app, case, status) -> None:  # type: ignore[no-untyped-def]
    member, customer = make_member(shops["us"], "ann@example.com")
    payload: dict[str, Any] = review(customer)
    options: dict[str, Any] = {}
    if case == "wrong_secret":
        options["key"] = "not-the-secret"
    if case == "other_shops_secret":
        options["key"] = rotate_integration_secret(db.session.get(Shop, shops["eu"].id))
    if case == "unknown_shop":
        options["shop"] = "nobody.myshopify.com"
    if case == "not_json":
        options["raw"] = b"{not json"
    if case == "unknown_customer":
        payload["customer_id"] = "999"
    if case == "missing_product":
        payload.pop("product_id")
    if case == "photos_not_boolean":
        payload["with_photos"] = "yes"
    response = review_app(payload, **options)
    assert response.status_code == status
    assert_response_matches_openapi(response)
    assert balance(shops["us"].id, member.id) == 0


def test_a_rotated_secret_replaces_the_old_one_and_is_audited(
    shops, make_member, review_app
) -> None:  # type: ignore[no-untyped-def]
    member, customer = make_member(shops["us"], "ann@example.com")
    old = review_app.secret
    new = rotate_integration_secret(db.session.get(Shop, shops["us"].id), actor="staff:2")
    assert new != old
    assert review_app(review(customer), key=old).status_code == 401
    assert review_app(review(customer), key=new).get_json() == {"points_awarded": 100}
    stored = db.session.get(Shop, shops["us"].id).integration_secret_enc
    assert new not in stored and old not in stored
    actions = db.session.execute(select(AuditLog.action).order_by(AuditLog.id)).scalars().all()
    assert actions == ["integration_secret.create", "integration_secret.rotate"]
