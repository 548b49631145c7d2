"""Redemption (POLICY.md 3; ARCHITECTURE.md redemption flow): points become one single-use code."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from plugin.extensions import db
from plugin.models import Member, PointEntry, Redemption, Reward
from tests.contract.openapi_check import assert_response_matches_openapi
from tests.rewards.conftest import balance, codes_for, redemption


def reward_of(shop, points):  # type: ignore[no-untyped-def]
    return db.session.execute(
        select(Reward).where(Reward.shop_id == shop.id, Reward.points == points)
    ).scalar_one()


@pytest.mark.parametrize(
    ("region", "points", "amount", "percentage"),
    [
        ("us", 500, "5.00", None),
        ("eu", 1000, "15.00", None),
        ("jp", 500, "800", None),
        ("kr", 1000, "21000", None),
        ("jp", 2000, None, 0.3),
    ],
    ids=["usd_5_off", "eur_15_off", "jpy_800_off", "krw_21000_off", "percent_30_as_fraction"],
)
def test_a_redemption_debits_points_and_issues_one_code_for_that_customer_only(
    shops, make_member, proxy, fake_admin, region, points, amount, percentage
) -> None:  # type: ignore[no-untyped-def]
    shop = shops[region]
    member, customer = make_member(shop, "ann@example.com", points=2500)
    reward = reward_of(shop, points)

    accepted = proxy(
        "POST", "/redemptions", shop=region, customer=customer, json={"reward_id": reward.id}
    )
    assert accepted.status_code == 202, accepted.get_json()
    assert_response_matches_openapi(accepted)
    assert accepted.get_json()["points"] == points
    assert balance(shop.id, member.id) == 2500 - points

    shown = proxy(
        "GET", f"/redemptions/{accepted.get_json()['id']}", shop=region, customer=customer
    )
    assert_response_matches_openapi(shown)
    body = shown.get_json()
    assert body["status"] == "issued"
    assert body["currency"] == shop.currency
    [code] = codes_for(fake_admin, shop, body["code"])
    assert code["customer_ids"] == [f"gid://shopify/Customer/{customer}"]
    assert code["usage_limit"] == 1
    assert code["applies_once_per_customer"] is True
    assert code["combines_with"] == {
        "orderDiscounts": False,
        "productDiscounts": False,
        "shippingDiscounts": False,
    }
    if amount is not None:
        assert Decimal(code["amount"]) == Decimal(amount)
    else:
        assert code["percentage"] == percentage


@pytest.mark.parametrize(
    ("opening", "reward_points", "status", "code"),
    [
        (499, 500, 409, "insufficient_points"),
        (0, 500, 409, "insufficient_points"),
        (-100, 500, 409, "insufficient_points"),
    ],
    ids=["one_point_short", "empty_wallet", "negative_balance_blocks_redemption"],
)
def test_a_redemption_the_balance_cannot_pay_is_refused_and_writes_nothing(
    shops, make_member, proxy, opening, reward_points, status, code
) -> None:  # type: ignore[no-untyped-def]
    shop = shops["us"]
    member, customer = make_member(shop, "ann@example.com", points=opening)
    response = proxy(
        "POST",
        "/redemptions",
        customer=customer,
        json={"reward_id": reward_of(shop, reward_points).id},
    )
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    assert_response_matches_openapi(response)
    assert balance(shop.id, member.id) == opening
    assert db.session.execute(select(Redemption)).first() is None


def test_who_may_redeem(shops, make_member, proxy) -> None:  # type: ignore[no-untyped-def]
    shop = shops["us"]
    reward = reward_of(shop, 500)
    anonymous = proxy("POST", "/redemptions", json={"reward_id": reward.id})
    assert anonymous.status_code == 401
    assert_response_matches_openapi(anonymous)

    member, customer = make_member(shop, "cancelled@example.com", points=5000)
    db.session.get(Member, member.id).state = "cancelled"
    db.session.commit()
    cancelled = proxy("POST", "/redemptions", customer=customer, json={"reward_id": reward.id})
    assert cancelled.status_code == 403
    assert cancelled.get_json()["error"]["code"] == "id_not_active"
    assert_response_matches_openapi(cancelled)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"reward_id": "1"}, 400),
        ({"reward_id": True}, 400),
        ({"reward_id": 0}, 400),
        ({}, 400),
        ({"reward_id": 999999}, 404),
    ],
    ids=["id_as_text", "boolean", "zero", "missing", "unknown_reward"],
)
def test_bad_redemption_requests_get_a_clear_4xx(shops, make_member, proxy, body, status) -> None:  # type: ignore[no-untyped-def]
    _, customer = make_member(shops["us"], "ann@example.com", points=5000)
    response = proxy("POST", "/redemptions", customer=customer, json=body)
    assert response.status_code == status
    assert_response_matches_openapi(response)


def test_a_reward_of_another_shop_or_archived_cannot_be_redeemed(shops, make_member, proxy) -> None:  # type: ignore[no-untyped-def]
    _, customer = make_member(shops["us"], "ann@example.com", points=5000)
    other = reward_of(shops["eu"], 500)
    assert (
        proxy("POST", "/redemptions", customer=customer, json={"reward_id": other.id}).status_code
        == 404
    )
    archived = reward_of(shops["us"], 500)
    archived.active = False
    db.session.commit()
    assert (
        proxy(
            "POST", "/redemptions", customer=customer, json={"reward_id": archived.id}
        ).status_code
        == 404
    )


def test_a_shopper_sees_only_their_own_redemptions_of_this_shop(shops, make_member, proxy) -> None:  # type: ignore[no-untyped-def]
    _, ann = make_member(shops["us"], "ann@example.com", points=5000)
    _, bob = make_member(shops["us"], "bob@example.com", points=5000)
    _, ann_eu = make_member(shops["eu"], "ann@example.com")
    made = proxy(
        "POST", "/redemptions", customer=ann, json={"reward_id": reward_of(shops["us"], 500).id}
    ).get_json()

    assert proxy("GET", f"/redemptions/{made['id']}", customer=bob).status_code == 404
    assert proxy("GET", f"/redemptions/{made['id']}", shop="eu", customer=ann_eu).status_code == 404
    assert proxy("GET", f"/redemptions/{made['id']}").status_code == 401
    mine = proxy("GET", "/redemptions", customer=ann)
    assert_response_matches_openapi(mine)
    assert [r["id"] for r in mine.get_json()["redemptions"]] == [made["id"]]
    assert proxy("GET", "/redemptions", customer=bob).get_json() == {"redemptions": []}


def test_a_code_shopify_refuses_for_good_gives_the_points_back(
    shops, make_member, proxy, fake_admin
) -> None:  # type: ignore[no-untyped-def]
    shop = shops["us"]
    member, customer = make_member(shop, "ann@example.com", points=1200)
    fake_admin.inject(
        "user_error",
        operation="DiscountCodeBasicCreate",
        message="Customer is blocked",
        code="INVALID",
    )

    made = proxy(
        "POST", "/redemptions", customer=customer, json={"reward_id": reward_of(shop, 1000).id}
    ).get_json()

    failed = proxy("GET", f"/redemptions/{made['id']}", customer=customer)
    assert_response_matches_openapi(failed)
    assert failed.get_json()["status"] == "failed"
    assert failed.get_json()["code"] is None
    assert balance(shop.id, member.id) == 1200
    kinds = [
        e.kind
        for e in db.session.execute(
            select(PointEntry).where(PointEntry.member_id == member.id).order_by(PointEntry.id)
        ).scalars()
    ]
    assert kinds == ["adjustment", "redemption", "redemption_refund"]
    assert fake_admin.discount_codes(shop.domain) == []


def test_storefront_writes_are_rate_limited_per_customer(app, shops, make_member, proxy) -> None:  # type: ignore[no-untyped-def]
    app.config["STOREFRONT_WRITE_LIMIT"] = 2
    _, ann = make_member(shops["us"], "ann@example.com", points=5000)
    _, bob = make_member(shops["us"], "bob@example.com", points=5000)
    reward = reward_of(shops["us"], 500).id
    statuses = [
        proxy("POST", "/redemptions", customer=ann, json={"reward_id": reward}).status_code
        for _ in range(3)
    ]
    assert statuses == [202, 202, 429]
    limited = proxy("POST", "/redemptions", customer=ann, json={"reward_id": reward})
    assert limited.get_json()["error"]["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) >= 1
    assert_response_matches_openapi(limited)
    assert (
        proxy("POST", "/redemptions", customer=bob, json={"reward_id": reward}).status_code == 202
    )


def test_the_catalogue_shows_what_the_member_can_afford(shops, make_member, proxy) -> None:  # type: ignore[no-untyped-def]
    _, customer = make_member(shops["jp"], "ken@example.jp", points=1200)
    personal = proxy("GET", "/rewards", shop="jp", customer=customer)
    assert_response_matches_openapi(personal)
    body = personal.get_json()
    assert personal.headers["Cache-Control"] == "private, no-store"
    assert (body["currency"], body["balance"], body["can_redeem"]) == ("JPY", 1200, True)
    assert [
        (r["points"], r["amount"], r["percentage"], r["affordable"]) for r in body["rewards"]
    ] == [
        (500, "800", None, True),
        (1000, "2400", None, True),
        (2000, None, "30", False),
    ]
    anonymous = proxy("GET", "/rewards", shop="jp")
    assert_response_matches_openapi(anonymous)
    assert anonymous.headers["Cache-Control"] == "public, max-age=60"
    assert (anonymous.get_json()["balance"], anonymous.get_json()["can_redeem"]) == (None, False)
    assert not any(r["affordable"] for r in anonymous.get_json()["rewards"])


def test_the_redemption_survives_reading_it_back(shops, make_member, proxy) -> None:  # type: ignore[no-untyped-def]
    shop = shops["us"]
    _, customer = make_member(shop, "ann@example.com", points=600)
    made = proxy(
        "POST", "/redemptions", customer=customer, json={"reward_id": reward_of(shop, 500).id}
    ).get_json()
    stored = redemption(made["id"])
    assert (stored.state, stored.points, stored.purpose, stored.customer_id) == (
        "issued",
        500,
        "reward",
        customer,
    )
    assert stored.code and stored.code.startswith("TSM-")
