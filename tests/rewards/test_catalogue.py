"""The reward catalogue (POLICY.md 3): defaults per currency, edited by the merchant, audited."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from plugin.extensions import db
from plugin.models import AuditLog
from plugin.rewards.catalogue import (
    RewardError,
    RewardNotFound,
    archive_reward,
    create_reward,
    describe,
    list_rewards,
    update_reward,
)
from plugin.rewards.redemptions import redeem
from tests.rewards.conftest import redemption


@pytest.mark.parametrize(
    ("region", "catalogue"),
    [
        (
            "us",
            [
                (500, "$5 off", "5.00", None),
                (1000, "$15 off", "15.00", None),
                (2000, "30% off", None, "30"),
            ],
        ),
        # Titles in the store's language: Shopify shows them as the discount's title at checkout.
        (
            "eu",
            [
                (500, "5 € Rabatt", "5.00", None),
                (1000, "15 € Rabatt", "15.00", None),
                (2000, "30 % Rabatt", None, "30"),
            ],
        ),
        (
            "jp",
            [
                (500, "￥800割引", "800", None),
                (1000, "￥2,400割引", "2400", None),
                (2000, "30%割引", None, "30"),
            ],
        ),
        (
            "kr",
            [
                (500, "₩7,000 할인", "7000", None),
                (1000, "₩21,000 할인", "21000", None),
                (2000, "30% 할인", None, "30"),
            ],
        ),
    ],
)
def test_each_store_starts_with_the_policy_catalogue_in_its_currency(
    shops, region, catalogue
) -> None:  # type: ignore[no-untyped-def]
    shop = shops[region]
    described = [describe(r, shop.currency) for r in list_rewards(shop)]
    assert [(d["points"], d["title"], d["amount"], d["percentage"]) for d in described] == catalogue


@pytest.mark.parametrize(
    ("region", "fields", "field"),
    [
        ("jp", {"points": 300, "kind": "fixed_amount", "amount": "500.5"}, "amount"),
        ("us", {"points": 300, "kind": "fixed_amount", "amount": "5.005"}, "amount"),
        ("us", {"points": 300, "kind": "fixed_amount", "amount": "0"}, "amount"),
        ("us", {"points": 300, "kind": "fixed_amount"}, "amount"),
        ("us", {"points": 300, "kind": "percentage", "percentage": "120"}, "percentage"),
        ("us", {"points": 300, "kind": "percentage", "percentage": "0"}, "percentage"),
        ("us", {"points": 0, "kind": "percentage", "percentage": "10"}, "points"),
        ("us", {"points": "many", "kind": "percentage", "percentage": "10"}, "points"),
        ("us", {"points": 300, "kind": "free_shipping"}, "kind"),
        (
            "us",
            {"points": 300, "kind": "percentage", "percentage": "10", "title": "x" * 256},
            "title",
        ),
        ("us", {"points": 300, "kind": "percentage", "percentage": "10", "shop_id": 2}, "shop_id"),
    ],
    ids=[
        "yen_have_no_minor_unit",
        "cents_have_two_places",
        "zero_amount",
        "no_amount",
        "over_100_percent",
        "zero_percent",
        "zero_points",
        "points_not_a_number",
        "unknown_kind",
        "title_too_long",
        "field_not_editable",
    ],
)
def test_a_bad_reward_is_refused_with_the_field_named(shops, region, fields, field) -> None:  # type: ignore[no-untyped-def]
    shop = shops[region]
    with pytest.raises(RewardError) as refused:
        create_reward(shop, "staff:1", **fields)
    assert refused.value.field == field
    db.session.rollback()
    assert len(list_rewards(shop)) == 3
    assert db.session.execute(select(AuditLog)).first() is None


def test_the_merchant_adds_changes_and_archives_rewards_with_an_audit_trail(
    shops, make_member
) -> None:  # type: ignore[no-untyped-def]
    shop = shops["kr"]
    added = create_reward(shop, "staff:1", points=3000, kind="fixed_amount", amount="50000")
    assert (added.title, added.amount, added.position) == (
        "₩50,000 할인",
        Decimal("50000"),
        3,
    )  # in the store's language

    member, customer = make_member(shop, "min@example.kr", points=4000)
    spent = redeem(shop, member, customer, added.id)
    spent_id = spent.id

    changed = update_reward(shop, added.id, "staff:2", amount=60000)
    assert (changed.title, changed.amount, changed.points) == (
        "₩60,000 할인",
        Decimal("60000"),
        3000,
    )
    renamed = update_reward(
        shop, added.id, "staff:2", kind="percentage", percentage="12.5", title="Member special"
    )
    assert (renamed.kind, renamed.amount, renamed.percentage, renamed.title) == (
        "percentage",
        None,
        Decimal("12.5"),
        "Member special",
    )
    archive_reward(shop, added.id, "staff:3")
    assert [r.points for r in list_rewards(shop)] == [500, 1000, 2000]
    assert len(list_rewards(shop, include_archived=True)) == 4

    kept = redemption(spent_id)  # a redemption keeps what it bought
    assert (kept.title, kept.amount, kept.kind) == (
        "₩50,000 할인",
        Decimal("50000"),
        "fixed_amount",
    )
    trail = (
        db.session.execute(
            select(AuditLog).where(AuditLog.subject_type == "reward").order_by(AuditLog.id)
        )
        .scalars()
        .all()
    )
    assert [(a.action, a.actor) for a in trail] == [
        ("reward.create", "staff:1"),
        ("reward.update", "staff:2"),
        ("reward.update", "staff:2"),
        ("reward.archive", "staff:3"),
    ]
    assert (trail[1].before["amount"], trail[1].after["amount"]) == ("50000", "60000")


def test_a_reward_is_changed_only_through_its_own_shop(shops) -> None:  # type: ignore[no-untyped-def]
    eu_reward = list_rewards(shops["eu"])[0]
    with pytest.raises(RewardNotFound):
        update_reward(shops["us"], eu_reward.id, "staff:1", points=1)
    with pytest.raises(RewardNotFound):
        archive_reward(shops["us"], eu_reward.id, "staff:1")


@pytest.mark.parametrize(
    ("region", "titles"),
    [
        ("eu", ["5 € Rabatt", "15 € Rabatt", "30 % Rabatt"]),
        ("jp", ["￥800割引", "￥2,400割引", "30%割引"]),
        ("kr", ["₩7,000 할인", "₩21,000 할인", "30% 할인"]),
    ],
)
def test_a_catalogue_made_with_english_titles_is_shown_in_the_store_language(
    shops, proxy, region, titles
) -> None:  # type: ignore[no-untyped-def]
    from plugin.shops.registry import reward_title

    shop = shops[region]
    for reward in list_rewards(shop):  # as stores installed before titles followed the language
        reward.title = reward_title(reward.kind, reward.amount, reward.percentage, shop.currency)
    db.session.commit()
    body = proxy("GET", "/rewards", shop=region).get_json()
    assert [r["title"] for r in body["rewards"]] == titles
