"""VIP tiers in a store (issue 19): off by default; a member crossing the threshold moves up at
once and earns the multiplier on the next order; an edit is previewed and moves nobody down
before their period ends; tier changes are rows with a cause, shown in the widget."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import select

from plugin import clock
from plugin.extensions import db
from plugin.models import MemberTier, PointEntry, TierChange
from plugin.rewards import catalogue as rewards
from plugin.rewards import tiers
from tests import payloads
from tests.rewards.conftest import balance

TIERS = {
    "enabled": True,
    "basis": "points_earned",
    "window": "rolling_12_months",
    "retention": "period_end",
    "tiers": [
        {"key": "member", "name": "Member", "threshold": 0},
        {
            "key": "vip",
            "name": "VIP",
            "threshold": 3000,
            "multiplier": "1.5",
            "perk": "free_shipping",
        },
        {
            "key": "vip_plus",
            "name": "VIP Plus",
            "threshold": 10000,
            "multiplier": "2",
            "perk": "gift",
        },
    ],
}


def pay_order(deliver, customer, email, shop="us"):
    body = payloads.order(
        lines=[payloads.line_item(None, "99.00")],
        customer_block=payloads.customer(int(customer), email),
        processed_at=clock.now().isoformat(),
    )
    assert deliver("orders/paid", body, shop=shop).status_code == 200
    return body["id"]


def order_points(shop, member):
    db.session.expire_all()
    return [
        d
        for (d,) in db.session.execute(
            select(PointEntry.delta)
            .where(
                PointEntry.shop_id == shop.id,
                PointEntry.member_id == member.id,
                PointEntry.kind == "order",
            )
            .order_by(PointEntry.id)
        ).all()
    ]


def held(shop, member):
    db.session.expire_all()
    row = db.session.execute(
        select(MemberTier).where(MemberTier.shop_id == shop.id, MemberTier.member_id == member.id)
    ).scalar_one_or_none()
    return row.tier_key if row else None


def test_off_by_default(shops, make_member, deliver, proxy):
    shop = shops["us"]
    member, customer = make_member(shop, "plain@example.com")
    pay_order(deliver, customer, "plain@example.com")
    pay_order(deliver, customer, "plain@example.com")
    assert order_points(shop, member) == [2000, 2000]
    assert held(shop, member) is None
    assert proxy("GET", "/tier", customer=customer).json == {
        "enabled": False,
        "tier": None,
        "next": None,
        "changes": [],
    }


def test_crossing_the_threshold_moves_up_at_once_and_multiplies_the_next_order(
    shops, make_member, deliver, proxy
):
    shop = shops["us"]
    member, customer = make_member(shop, "vip@example.com")
    tiers.save_rules(shop, TIERS, "staff:1")
    assert held(shop, member) == "member"
    pay_order(deliver, customer, "vip@example.com")
    assert held(shop, member) == "member"  # 2,000 earned
    second = pay_order(deliver, customer, "vip@example.com")
    assert held(shop, member) == "vip"  # 4,000 earned: up at once, with this order as the cause
    change = db.session.execute(select(TierChange).where(TierChange.to_key == "vip")).scalar_one()
    assert (change.from_key, change.cause, change.cause_ref) == (
        "member",
        "qualified",
        f"order:{second}",
    )
    pay_order(deliver, customer, "vip@example.com")
    assert order_points(shop, member) == [2000, 2000, 3000]  # the multiplier on the next order
    assert balance(shop.id, member.id) == 7000
    body = proxy("GET", "/tier", customer=customer).json
    assert (
        body["tier"]["name"] == "VIP"
        and body["tier"]["multiplier"] == "1.5"
        and body["tier"]["perk"] == "free_shipping"
    )
    assert body["next"] == {
        "key": "vip_plus",
        "name": "VIP Plus",
        "threshold": "10000",
        "remaining": "3000",
    }
    assert [(c["from"], c["to"], c["cause"]) for c in body["changes"]] == [
        ("member", "vip", "qualified"),
        (None, "member", "qualified"),
    ]


def test_an_edit_is_previewed_and_moves_nobody_down_before_the_period_ends(
    shops, make_member, deliver, proxy
):
    shop = shops["eu"]
    member, customer = make_member(shop, "edit@example.com")
    tiers.save_rules(shop, TIERS, "staff:1")
    pay_order(deliver, customer, "edit@example.com", shop="eu")
    pay_order(deliver, customer, "edit@example.com", shop="eu")
    assert held(shop, member) == "vip"
    stricter = {**TIERS, "tiers": [dict(t) for t in TIERS["tiers"]]}
    stricter["tiers"][1]["threshold"] = 5000
    preview = tiers.preview(shop, stricter)
    row = db.session.execute(
        select(MemberTier).where(MemberTier.member_id == member.id)
    ).scalar_one()
    assert preview["up_now"] == 0 and preview["down_at_period_end"] == 1
    assert preview["down"][0] | {"email": None} == {
        "member_id": member.id,
        "email": None,
        "from_key": "vip",
        "to_key": "member",
        "when": row.period_ends_on.isoformat(),
    }
    assert held(shop, member) == "vip"  # a preview changes nothing
    tiers.save_rules(shop, stricter, "staff:1")
    assert held(shop, member) == "vip"  # nor does the edit itself
    assert tiers.multiplier_for(shop, member.id) == 1.5
    with time_machine.travel(clock.now() + timedelta(days=366), tick=False):
        tiers.apply_period_ends()
        assert held(shop, member) == "member"
        change = db.session.execute(
            select(TierChange).where(TierChange.to_key == "member", TierChange.from_key == "vip")
        ).scalar_one()
        assert change.cause == "period_end"
    # Lowering a threshold moves members up at once, and the preview says so first.
    generous = {**TIERS, "tiers": [dict(t) for t in TIERS["tiers"]]}
    generous["tiers"][2]["threshold"] = 3500
    assert tiers.preview(shop, generous)["up_now"] == 1


def test_retention_never_keeps_the_tier(shops, make_member, deliver):
    shop = shops["jp"]
    member, customer = make_member(shop, "keep@example.com")
    tiers.save_rules(shop, {**TIERS, "retention": "never"}, "staff:1")
    pay_order(deliver, customer, "keep@example.com", shop="jp")
    pay_order(deliver, customer, "keep@example.com", shop="jp")
    assert held(shop, member) == "vip"
    with time_machine.travel(clock.now() + timedelta(days=800), tick=False):
        tiers.apply_period_ends()
        assert held(shop, member) == "vip"


def test_a_tier_only_reward_is_for_that_tier(shops, make_member, deliver, proxy):
    shop = shops["kr"]
    member, customer = make_member(shop, "only@example.com", points=5000)
    tiers.save_rules(shop, TIERS, "staff:1")
    reward = rewards.create_reward(
        shop, "staff", kind="fixed_amount", points=500, amount="10000", tier_keys="vip, vip_plus"
    )
    assert reward.tier_keys == ["vip", "vip_plus"]
    assert reward.id not in [
        r["id"] for r in proxy("GET", "/rewards", shop="kr", customer=customer).json["rewards"]
    ]
    refused = proxy(
        "POST", "/redemptions", shop="kr", customer=customer, json={"reward_id": reward.id}
    )
    assert refused.status_code == 403 and refused.json["error"]["code"] == "tier_only"
    pay_order(deliver, customer, "only@example.com", shop="kr")
    pay_order(deliver, customer, "only@example.com", shop="kr")
    assert held(shop, member) == "vip"
    assert reward.id in [
        r["id"] for r in proxy("GET", "/rewards", shop="kr", customer=customer).json["rewards"]
    ]
    assert (
        proxy(
            "POST", "/redemptions", shop="kr", customer=customer, json={"reward_id": reward.id}
        ).status_code
        == 202
    )


def test_tiers_never_touch_the_cohorts_terms(shops, make_member, deliver, proxy):
    shop = shops["us"]
    member, customer = make_member(shop, "cohort@example.com")
    before = proxy("GET", "/member", customer=customer).json
    tiers.save_rules(shop, TIERS, "staff:1")
    pay_order(deliver, customer, "cohort@example.com")
    pay_order(deliver, customer, "cohort@example.com")
    after = proxy("GET", "/member", customer=customer).json
    assert held(shop, member) == "vip"
    assert (after["tesmart_id"], after["benefits"]) == (before["tesmart_id"], before["benefits"])
