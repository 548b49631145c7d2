"""Referrals (POLICY.md 3): the friend's coupon on the visit, the referrer's once the friend's first
order is paid, the refusals with their reasons, the monthly cap, and reversal in the return
window."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import unquote

import pytest
from sqlalchemy import select

from plugin.extensions import db
from plugin.models import Order, Redemption, Referral, Shop
from plugin.models.types import utcnow
from tests import payloads
from tests.contract.openapi_check import assert_response_matches_openapi
from tests.rewards.conftest import codes_for, settle_outbox


@pytest.fixture()
def amy(shops, make_member):  # type: ignore[no-untyped-def]
    """The referrer: an activated member with a customer account in the US store."""
    member, customer = make_member(shops["us"], "amy@example.com")
    return {"member": member, "customer": customer, "code": member.referral_code}


def visit(proxy, code: str, customer: str | None = None, shop: str = "us"):  # type: ignore[no-untyped-def]
    response = proxy("GET", f"/r/{code}", shop=shop, customer=customer)
    assert response.status_code == 302
    assert response.headers["Cache-Control"] == "private, no-store"
    return response.headers["Location"]


def friend_order(
    customer: str,
    email: str,
    *,
    codes: list[str] = (),
    address1: str = "9 Friend Lane",
    zip_code: str = "10001",
    **kwargs: Any,
) -> dict[str, Any]:  # type: ignore[assignment]
    order = payloads.order(
        lines=[payloads.line_item(None, "129.00")],
        customer_block=payloads.customer(int(customer), email=email),
        discount_codes=[
            {"code": code, "amount": "10.00", "type": "fixed_amount"} for code in codes
        ],
        **kwargs,
    )
    order["shipping_address"] = payloads.address("US", address1=address1, zip_code=zip_code)
    return order


def referrals() -> list[Referral]:
    db.session.expire_all()
    return list(db.session.execute(select(Referral).order_by(Referral.id)).scalars())


def coupon(redemption_id: int | None) -> Redemption:
    db.session.expire_all()
    found = db.session.get(Redemption, redemption_id)
    assert found is not None
    return found


def test_a_friend_gets_a_coupon_and_the_referrer_theirs_once_the_first_order_is_paid(
    shops, amy, make_member, proxy, deliver, fake_admin
) -> None:  # type: ignore[no-untyped-def]
    us = shops["us"]
    _, fred = make_member(us, "fred@example.com")

    location = visit(proxy, amy["code"], fred)

    [referral] = referrals()
    friend_coupon = coupon(referral.friend_redemption_id)
    assert location == f"/discount/{friend_coupon.code}?redirect=/"
    assert (referral.state, friend_coupon.state, friend_coupon.purpose) == (
        "visited",
        "issued",
        "referral",
    )
    [made] = codes_for(fake_admin, us, friend_coupon.code)
    assert made["customer_ids"] == [f"gid://shopify/Customer/{fred}"]
    assert Decimal(made["amount"]) == Decimal("10.00")
    assert visit(proxy, amy["code"], fred) == location  # a second click: the same coupon
    assert len(referrals()) == 1

    assert (
        deliver(
            "orders/paid", friend_order(fred, "fred@example.com", codes=[friend_coupon.code])
        ).status_code
        == 200
    )
    settle_outbox()

    [referral] = referrals()
    assert referral.state == "rewarded"
    reward = coupon(referral.referrer_redemption_id)
    assert (reward.state, reward.customer_id, reward.points) == ("issued", amy["customer"], 0)
    [made] = codes_for(fake_admin, us, reward.code)
    assert made["customer_ids"] == [f"gid://shopify/Customer/{amy['customer']}"]
    assert coupon(referral.friend_redemption_id).used_at is not None

    page = proxy("GET", "/referral", customer=amy["customer"])
    assert_response_matches_openapi(page)
    body = page.get_json()
    assert body["code"] == amy["code"]
    assert body["url"] == f"https://tesmart-us.myshopify.com/apps/tesmart/r/{amy['code']}"
    assert body["friend_coupon"] == {"amount": "10.00", "currency": "USD"}
    assert [(f["status"], f["reason"]) for f in body["friends"]] == [("rewarded", None)]
    assert (body["rewards_this_month"], body["monthly_cap"]) == (1, 20)
    mine = proxy("GET", "/redemptions", customer=amy["customer"])
    assert_response_matches_openapi(mine)
    [listed] = mine.get_json()["redemptions"]
    assert (listed["purpose"], listed["reward"]["id"], listed["points"], listed["code"]) == (
        "referral",
        None,
        0,
        reward.code,
    )


@pytest.mark.parametrize(
    ("region", "amount"),
    [("us", "10.00"), ("eu", "10.00"), ("jp", "1500"), ("kr", "13000")],
    ids=["usd", "eur", "jpy", "krw"],
)
def test_the_friend_coupon_is_ten_units_of_the_store_currency(
    shops, make_member, proxy, region, amount
) -> None:  # type: ignore[no-untyped-def]
    member, customer = make_member(shops[region], "amy@example.com")
    body = proxy("GET", "/referral", shop=region, customer=customer).get_json()
    assert body["friend_coupon"] == {"amount": amount, "currency": shops[region].currency}


def test_an_anonymous_visitor_lands_on_the_offer_and_an_unknown_code_on_the_home_page(
    shops, amy, proxy
) -> None:  # type: ignore[no-untyped-def]
    location = visit(proxy, amy["code"])
    assert location.startswith("/?tesmart_referral=")  # the widgets show the coupon, then register
    assert unquote(location.split("=", 1)[1]) == amy["code"]
    assert visit(proxy, "NOSUCHCODE") == "/"
    assert visit(proxy, "bad code!") == "/"
    assert referrals() == []


def test_referring_yourself_is_refused_with_the_reason_recorded(shops, amy, proxy) -> None:  # type: ignore[no-untyped-def]
    assert visit(proxy, amy["code"], amy["customer"]) == "/"
    [referral] = referrals()
    assert (referral.state, referral.refusal_reason) == ("refused", "self_referral_same_customer")
    assert referral.friend_redemption_id is None
    body = proxy("GET", "/referral", customer=amy["customer"]).get_json()
    assert body["friends"][0]["status"] == "refused"
    assert body["friends"][0]["reason"] == "You cannot refer yourself."


def test_a_second_account_with_the_referrers_email_is_the_referrer(
    shops, amy, proxy, fake_admin
) -> None:  # type: ignore[no-untyped-def]
    from plugin.accounts import link_customer

    second = "7199999999"
    link_customer(shops["us"], second, member=amy["member"], email="AMY@example.com ")
    db.session.commit()
    assert visit(proxy, amy["code"], second) == "/"
    [referral] = referrals()
    assert (referral.state, referral.refusal_reason) == ("refused", "self_referral_same_email")
    assert fake_admin.discount_codes(shops["us"].domain) == []


def test_a_friend_who_already_ordered_gets_no_coupon(
    shops, amy, make_member, proxy, deliver
) -> None:  # type: ignore[no-untyped-def]
    _, fred = make_member(shops["us"], "fred@example.com")
    deliver("orders/paid", friend_order(fred, "fred@example.com", created_at=payloads.ago(60)))
    assert visit(proxy, amy["code"], fred) == "/"
    [referral] = referrals()
    assert (referral.state, referral.refusal_reason) == ("refused", "friend_already_ordered")


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("same_delivery_address", "self_referral_same_address"),
        ("monthly_cap_reached", "monthly_cap_reached"),
        ("order_cancelled_before_payment_was_seen", "referral_order_reversed"),
    ],
)
def test_a_friend_order_that_must_not_reward_the_referrer(
    shops, amy, make_member, proxy, deliver, fake_admin, case, reason
) -> None:  # type: ignore[no-untyped-def]
    us = shops["us"]
    _, fred = make_member(us, "fred@example.com")
    order_kwargs: dict[str, Any] = {}
    if case == "same_delivery_address":
        deliver(
            "orders/paid",
            friend_order(
                amy["customer"], "amy@example.com", address1="12  Main St", zip_code="40003"
            ),
        )
        order_kwargs = {"address1": "12 main st", "zip_code": "40003"}
    if case == "monthly_cap_reached":
        shop = db.session.get(Shop, us.id)
        shop.settings = {"referral_monthly_cap": 0}
        db.session.commit()
    if case == "order_cancelled_before_payment_was_seen":
        order_kwargs = {"cancelled_at": payloads.ago()}
    location = visit(proxy, amy["code"], fred)
    friend_code = location.split("/")[2].split("?")[0]

    deliver(
        "orders/paid", friend_order(fred, "fred@example.com", codes=[friend_code], **order_kwargs)
    )

    [referral] = referrals()
    assert (referral.state, referral.refusal_reason) == ("refused", reason)
    assert referral.referrer_redemption_id is None
    assert [c["customer_ids"] for c in fake_admin.discount_codes(us.domain)] == [
        [f"gid://shopify/Customer/{fred}"]
    ]


def test_the_monthly_cap_counts_rewards_of_this_month(
    shops, amy, make_member, proxy, deliver
) -> None:  # type: ignore[no-untyped-def]
    shop = db.session.get(Shop, shops["us"].id)
    shop.settings = {"referral_monthly_cap": 2}
    db.session.commit()
    for n in range(3):
        _, friend = make_member(shops["us"], f"friend{n}@example.com")
        visit(proxy, amy["code"], friend)
        deliver(
            "orders/paid",
            friend_order(friend, f"friend{n}@example.com", address1=f"{n} Other Road"),
        )
    assert [(r.state, r.refusal_reason) for r in referrals()] == [
        ("rewarded", None),
        ("rewarded", None),
        ("refused", "monthly_cap_reached"),
    ]
    body = proxy("GET", "/referral", customer=amy["customer"]).get_json()
    assert (body["rewards_this_month"], body["monthly_cap"]) == (2, 2)


def test_without_the_coupon_the_order_is_attributed_through_the_friend_account(
    shops, amy, make_member, proxy, deliver
) -> None:  # type: ignore[no-untyped-def]
    _, fred = make_member(shops["us"], "fred@example.com")
    visit(proxy, amy["code"], fred)
    deliver("orders/paid", friend_order(fred, "fred@example.com"))
    assert [r.state for r in referrals()] == ["rewarded"]


def paid_referral(shops, amy, make_member, proxy, deliver):  # type: ignore[no-untyped-def]
    _, fred = make_member(shops["us"], "fred@example.com")
    visit(proxy, amy["code"], fred)
    order = friend_order(fred, "fred@example.com")
    deliver("orders/paid", order)
    [referral] = referrals()
    assert referral.state == "rewarded"
    return order, referral


def test_a_referred_order_cancelled_in_the_return_window_disables_the_unused_referrer_code(
    shops, amy, make_member, proxy, deliver, fake_admin
) -> None:  # type: ignore[no-untyped-def]
    order, referral = paid_referral(shops, amy, make_member, proxy, deliver)
    reward = coupon(referral.referrer_redemption_id)

    deliver("orders/cancelled", {**order, "cancelled_at": payloads.ago()})
    settle_outbox()

    [referral] = referrals()
    assert (referral.state, referral.refusal_reason) == ("refused", "referral_order_reversed")
    assert coupon(referral.referrer_redemption_id).state == "disabled"
    [code] = codes_for(fake_admin, shops["us"], reward.code)
    assert code["status"] == "EXPIRED"
    assert "DiscountCodeDeactivate" in fake_admin.operations_called(shops["us"].domain)


def test_a_full_refund_after_the_return_window_keeps_the_referrer_code(
    shops, amy, make_member, proxy, deliver, fake_admin
) -> None:  # type: ignore[no-untyped-def]
    order, referral = paid_referral(shops, amy, make_member, proxy, deliver)
    stored = db.session.execute(
        select(Order).where(Order.order_id == str(order["id"]))
    ).scalar_one()
    stored.delivered_at = utcnow() - timedelta(days=45)
    db.session.commit()

    deliver(
        "refunds/create",
        payloads.refund(order, order["total_price"], created_at=utcnow().isoformat()),
    )

    [referral] = referrals()
    assert referral.state == "rewarded"
    assert coupon(referral.referrer_redemption_id).state == "issued"


def test_a_used_referrer_code_is_not_disabled_by_a_later_reversal(
    shops, amy, make_member, proxy, deliver
) -> None:  # type: ignore[no-untyped-def]
    order, referral = paid_referral(shops, amy, make_member, proxy, deliver)
    reward = coupon(referral.referrer_redemption_id)
    deliver(
        "orders/paid", friend_order(amy["customer"], "amy@example.com", codes=[reward.code.lower()])
    )
    deliver("refunds/create", payloads.refund(order, order["total_price"]))
    assert coupon(referral.referrer_redemption_id).state == "issued"
    assert [r.refusal_reason for r in referrals()] == ["referral_order_reversed"]


def test_the_referral_page_needs_an_activated_id(shops, make_member, proxy) -> None:  # type: ignore[no-untyped-def]
    assert proxy("GET", "/referral").status_code == 401
    _, stranger = make_member(shops["us"], "x@example.com")
    from plugin.models import ShopCustomer

    db.session.execute(
        select(ShopCustomer).where(ShopCustomer.customer_id == stranger)
    ).scalar_one().member_id = None
    db.session.commit()
    response = proxy("GET", "/referral", customer=stranger)
    assert response.status_code == 403
    assert_response_matches_openapi(response)
