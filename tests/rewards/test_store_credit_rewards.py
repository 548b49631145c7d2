"""Points for Shopify store credit (issue 19): a catalogue reward paid by storeCreditAccountCredit
through the outbox, at most once; offered only where storeCreditConfiguration allows it; an
optional expiry from the store's settings; taken back on cancellation while unspent."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import Decimal

import pytest
import time_machine

from plugin import clock
from plugin.effects import EFFECTS
from plugin.extensions import db
from plugin.members.membership import cancel_membership
from plugin.models import OutboxItem
from plugin.rewards import catalogue as rewards
from plugin.rewards import store_credit_rewards
from tests.rewards.conftest import balance, redemption, settle_outbox

# 10.00 of store credit for 1,000 points, in each store's own currency and minor unit.
AMOUNTS = {
    "us": ("USD", "10.00"),
    "eu": ("EUR", "10.00"),
    "jp": ("JPY", "1500"),
    "kr": ("KRW", "13000"),
}


def gid(customer_id: str) -> str:
    return f"gid://shopify/Customer/{customer_id}"


@pytest.fixture()
def credit_shop(shops, fake_admin):
    def make(region: str, *, enabled: bool = True, **settings):
        shop = shops[region]
        fake_admin.configure_shop(
            shop.domain, currency_code=shop.currency, store_credit_enabled=enabled
        )
        if settings:
            shop.settings = {**(shop.settings or {}), **settings}
            db.session.commit()
        reward = rewards.create_reward(
            shop, "staff", kind="store_credit", points=1000, amount=AMOUNTS[region][1]
        )
        store_credit_rewards.refresh_configurations()  # the sweep asks Shopify
        return shop, reward

    return make


@pytest.mark.parametrize("region", ["us", "eu", "jp", "kr"])
def test_a_member_redeems_1000_points_for_store_credit_in_the_stores_currency(
    region, credit_shop, make_member, proxy, fake_admin
):
    shop, reward = credit_shop(region)
    currency, amount = AMOUNTS[region]
    member, customer = make_member(shop, f"credit-{region}@example.com", points=1500)
    listed = proxy("GET", "/rewards", shop=region, customer=customer).json["rewards"]
    offered = [r for r in listed if r["id"] == reward.id]
    assert offered and offered[0]["kind"] == "store_credit" and offered[0]["amount"] == amount
    accepted = proxy(
        "POST", "/redemptions", shop=region, customer=customer, json={"reward_id": reward.id}
    )
    assert accepted.status_code == 202
    settle_outbox()
    done = proxy("GET", f"/redemptions/{accepted.json['id']}", shop=region, customer=customer).json
    assert done["status"] == "issued" and done["code"] is None
    assert done["reward"]["kind"] == "store_credit" and done["currency"] == currency
    assert fake_admin.store_credit(shop.domain, gid(customer), currency) == Decimal(amount)
    [credit] = fake_admin.store_credit_transactions(shop.domain)
    assert (credit["currency"], credit["amount"], credit["expires_at"]) == (
        currency,
        Decimal(amount),
        None,
    )
    assert balance(shop.id, member.id) == 500


def test_not_offered_where_the_store_has_store_credit_off(
    credit_shop, make_member, proxy, fake_admin
):
    shop, reward = credit_shop("us", enabled=False)
    _, customer = make_member(shop, "off@example.com", points=1500)
    assert reward.id not in [
        r["id"] for r in proxy("GET", "/rewards", customer=customer).json["rewards"]
    ]
    refused = proxy("POST", "/redemptions", customer=customer, json={"reward_id": reward.id})
    assert refused.status_code == 409 and refused.json["error"]["code"] == "store_credit_off"
    assert fake_admin.store_credit_transactions(shop.domain) == []


def test_not_offered_where_customers_have_classic_accounts(
    credit_shop, make_member, proxy, fake_admin, shops
):
    fake_admin.configure_shop(shops["jp"].domain, customer_accounts="CLASSIC")
    shop, reward = credit_shop("jp")
    _, customer = make_member(shop, "classic@example.com", points=1500)
    assert reward.id not in [
        r["id"] for r in proxy("GET", "/rewards", shop="jp", customer=customer).json["rewards"]
    ]
    assert (
        proxy(
            "POST", "/redemptions", shop="jp", customer=customer, json={"reward_id": reward.id}
        ).status_code
        == 409
    )


def test_turned_off_after_the_redemption_pays_nothing_and_returns_the_points(
    credit_shop, make_member, proxy, fake_admin, held_jobs
):
    shop, reward = credit_shop("eu")
    member, customer = make_member(shop, "late-off@example.com", points=1000)
    accepted = proxy(
        "POST", "/redemptions", shop="eu", customer=customer, json={"reward_id": reward.id}
    )
    fake_admin.configure_shop(shop.domain, store_credit_enabled=False)
    settle_outbox()
    assert redemption(accepted.json["id"]).state == "failed"
    assert fake_admin.store_credit_transactions(shop.domain) == []
    assert balance(shop.id, member.id) == 1000


# The mark is committed on a connection of its own and must outlive the crashed transaction.
@pytest.mark.commits
def test_a_crash_before_the_commit_never_pays_twice(
    credit_shop, make_member, proxy, fake_admin, held_jobs
):
    shop, reward = credit_shop("jp")
    member, customer = make_member(shop, "crash@example.com", points=1000)
    accepted = proxy(
        "POST", "/redemptions", shop="jp", customer=customer, json={"reward_id": reward.id}
    )
    effect = EFFECTS[store_credit_rewards.CREDIT]

    def die(*args):
        raise RuntimeError("worker killed after Shopify answered, before the commit")

    EFFECTS[store_credit_rewards.CREDIT] = dataclasses.replace(effect, on_success=die)
    try:
        from plugin.jobs import run_outbox_item

        [item_id] = [
            i.id for i in db.session.query(OutboxItem).filter_by(kind=store_credit_rewards.CREDIT)
        ]
        with pytest.raises(RuntimeError):
            run_outbox_item(item_id)
        db.session.rollback()
    finally:
        EFFECTS[store_credit_rewards.CREDIT] = effect
    assert len(fake_admin.store_credit_transactions(shop.domain)) == 1
    settle_outbox()  # the sweep runs the item again
    assert len(fake_admin.store_credit_transactions(shop.domain)) == 1
    assert fake_admin.store_credit(shop.domain, gid(customer), "JPY") == Decimal("1500")
    # Paid once, and the points are not given back as well: the merchant is asked to look.
    assert redemption(accepted.json["id"]).state == "review"
    assert balance(shop.id, member.id) == 0
    assert (
        proxy("GET", f"/redemptions/{accepted.json['id']}", shop="jp", customer=customer).json[
            "status"
        ]
        == "pending"
    )


def test_a_refused_credit_gives_the_points_back(
    credit_shop, make_member, proxy, fake_admin, held_jobs
):
    shop, reward = credit_shop("kr")
    member, customer = make_member(shop, "refused@example.com", points=1000)
    accepted = proxy(
        "POST", "/redemptions", shop="kr", customer=customer, json={"reward_id": reward.id}
    )
    fake_admin.inject(
        "user_error",
        operation="StoreCreditAccountCredit",
        code="CREDIT_LIMIT_EXCEEDED",
        message="limit",
    )
    settle_outbox()
    assert redemption(accepted.json["id"]).state == "failed"
    assert fake_admin.store_credit_transactions(shop.domain) == []
    assert balance(shop.id, member.id) == 1000


def test_an_unanswered_credit_is_never_sent_again(
    credit_shop, make_member, proxy, fake_admin, held_jobs
):
    shop, reward = credit_shop("us")
    member, customer = make_member(shop, "timeout@example.com", points=1000)
    accepted = proxy("POST", "/redemptions", customer=customer, json={"reward_id": reward.id})
    fake_admin.inject("timeout", operation="StoreCreditAccountCredit", applied=True)
    settle_outbox()
    assert len(fake_admin.store_credit_transactions(shop.domain)) == 1
    assert redemption(accepted.json["id"]).state == "review"
    assert balance(shop.id, member.id) == 0


def test_the_credit_expires_as_the_store_sets_it(credit_shop, make_member, proxy, fake_admin):
    shop, reward = credit_shop("us", store_credit_expiry_months=6)
    _, customer = make_member(shop, "expiry@example.com", points=1000)
    tz = clock.zone(shop.timezone, shop.region)
    moment = datetime(clock.now().year + 1, 8, 31, 23, 30, tzinfo=tz)
    with time_machine.travel(moment, tick=False):
        accepted = proxy("POST", "/redemptions", customer=customer, json={"reward_id": reward.id})
        settle_outbox()
        body = proxy("GET", f"/redemptions/{accepted.json['id']}", customer=customer).json
    # 31 August + 6 months is the last day of February; the credit lasts to the end of that day.
    expected = datetime(moment.year + 1, 3, 1, tzinfo=tz)
    assert datetime.fromisoformat(body["expires_at"]) == expected
    [credit] = fake_admin.store_credit_transactions(shop.domain)
    assert datetime.fromisoformat(credit["expires_at"]) == expected


def test_cancellation_takes_back_only_what_is_unspent(credit_shop, make_member, proxy, fake_admin):
    shop, reward = credit_shop("us")
    member, customer = make_member(shop, "cancel@example.com", points=2000)
    first = proxy("POST", "/redemptions", customer=customer, json={"reward_id": reward.id}).json[
        "id"
    ]
    settle_outbox()
    fake_admin.spend_store_credit(shop.domain, gid(customer), "3.50")  # a checkout used part of it
    cancel_membership(shop, member, "staff", "asked by the customer")
    settle_outbox()
    assert redemption(first).state == "disabled"
    assert fake_admin.store_credit(shop.domain, gid(customer)) == Decimal(0)
    debits = [t for t in fake_admin.store_credit_transactions(shop.domain) if t["kind"] == "debit"]
    assert [d["amount"] for d in debits] == [Decimal("-6.50")]
    settle_outbox()  # nothing runs twice
    assert (
        len([t for t in fake_admin.store_credit_transactions(shop.domain) if t["kind"] == "debit"])
        == 1
    )


def test_a_fully_spent_credit_is_not_taken_back(credit_shop, make_member, proxy, fake_admin):
    shop, reward = credit_shop("eu")
    member, customer = make_member(shop, "spent@example.com", points=1000)
    proxy("POST", "/redemptions", shop="eu", customer=customer, json={"reward_id": reward.id})
    settle_outbox()
    fake_admin.spend_store_credit(shop.domain, gid(customer), "10.00", "EUR")
    cancel_membership(shop, member, "staff", "asked by the customer")
    settle_outbox()
    assert [
        t for t in fake_admin.store_credit_transactions(shop.domain) if t["kind"] == "debit"
    ] == []


def test_a_credit_still_pending_at_cancellation_is_never_paid(
    credit_shop, make_member, proxy, fake_admin, held_jobs
):
    shop, reward = credit_shop("us")
    member, customer = make_member(shop, "pending@example.com", points=1000)
    accepted = proxy("POST", "/redemptions", customer=customer, json={"reward_id": reward.id}).json[
        "id"
    ]
    cancel_membership(shop, member, "staff", "asked by the customer")
    settle_outbox()
    assert redemption(accepted).state == "disabled"
    assert fake_admin.store_credit_transactions(shop.domain) == []


def test_the_store_credit_reward_validates_its_amount(shops):
    shop = shops["jp"]
    with pytest.raises(rewards.RewardError):
        rewards.create_reward(
            shop, "staff", kind="store_credit", points=1000, amount="10.50"
        )  # JPY has no minor unit
    with pytest.raises(rewards.RewardError):
        rewards.create_reward(shop, "staff", kind="store_credit", points=1000, amount="0")
    made = rewards.create_reward(shop, "staff", kind="store_credit", points=1000, amount="1500")
    assert (made.kind, made.amount, made.percentage, made.title) == (
        "store_credit",
        Decimal("1500"),
        None,
        "￥1,500分のストアクレジット",
    )  # the store's language
