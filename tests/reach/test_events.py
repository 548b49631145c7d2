"""Each program event tells the member once, in the store's language, and starts the merchant's
Flow with the customer and the figures; the customer metafields follow, one write a minute."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from sqlalchemy import select

from plugin import ledger
from plugin.extensions import db
from plugin.jobs import sweep
from plugin.models import Reward, ShopCustomer
from plugin.reach.notifications import warn_expiring_points
from plugin.rewards.redemptions import redeem


def _reward(shop: Any, points: int) -> int:
    return db.session.execute(
        select(Reward.id).where(Reward.shop_id == shop.id, Reward.points == points)
    ).scalar_one()


@pytest.mark.parametrize(
    ("region", "subject"), [("us", "Your TESmart reward code"), ("kr", "TESmart 리워드 코드 안내")]
)
def test_a_reward_code_is_emailed_with_the_code_and_starts_flow(
    shops: Any, make_member: Any, fake_admin: Any, mailbox: Any, region: str, subject: str
) -> None:
    shop = shops[region]
    member, customer = make_member(shop, f"reward-{region}@example.com", points=1_200)
    made = redeem(shop, member, customer, _reward(shop, 500))
    db.session.expire_all()
    [email] = mailbox.messages()
    code = db.session.get(type(made), made.id).code
    assert email.subject == subject and code in email.text and code in email.html
    [trigger] = fake_admin.flow_triggers(shop.domain, "tesmart-reward-issued")
    assert trigger["payload"]["customer_id"] == int(customer) and trigger["payload"]["Code"] == code
    assert trigger["payload"]["Points spent"] == 500


def test_points_earned_start_flow_once_per_ledger_entry(
    shops: Any, make_member: Any, fake_admin: Any
) -> None:
    us = shops["us"]
    member, customer = make_member(us, "earn@example.com")
    for _ in range(2):  # the same cause twice: one entry, one trigger
        ledger.post_entry(
            shop_id=us.id, member_id=member.id, delta=120, kind="order", cause_key="order:77:paid"
        )
        db.session.commit()
    triggers = fake_admin.flow_triggers(us.domain, "tesmart-points-earned")
    assert [
        (t["payload"]["Points"], t["payload"]["Balance"], t["payload"]["Reason"]) for t in triggers
    ] == [(120, 120, "order")]


def test_activation_starts_flow_with_the_cohort(
    shops: Any, make_member: Any, fake_admin: Any
) -> None:
    us = shops["us"]
    member, customer = make_member(us, "new@example.com", active=False)
    fake_admin.add_customer(us.domain, email="new@example.com", customer_id=int(customer))
    from plugin.accounts import activate

    activate(member, datetime.now(UTC), "storefront_login")
    db.session.commit()
    [trigger] = fake_admin.flow_triggers(us.domain, "tesmart-id-activated")
    assert trigger["payload"]["Cohort"] == "2025-11"
    assert trigger["payload"]["Member since"] == member.registered_at.date().isoformat()


def test_metafields_are_coalesced_to_one_write_a_minute_with_the_latest_values(
    shops: Any, make_member: Any, fake_admin: Any
) -> None:
    us = shops["us"]
    start = datetime.now(UTC).replace(second=5, microsecond=0) + timedelta(minutes=2)
    with time_machine.travel(start, tick=False):
        member, customer = make_member(us, "meta@example.com")
        for n in range(5):
            ledger.post_entry(
                shop_id=us.id,
                member_id=member.id,
                delta=10,
                kind="order",
                cause_key=f"order:{n}:paid",
            )
            db.session.commit()
        sweep()
        assert "MetafieldsSet" not in fake_admin.operations_called(
            us.domain
        )  # not before the minute is over
    with time_machine.travel(start + timedelta(seconds=56), tick=False):
        sweep()
        ledger.post_entry(
            shop_id=us.id, member_id=member.id, delta=10, kind="order", cause_key="order:9:paid"
        )
        db.session.commit()
        sweep()
    assert fake_admin.operations_called(us.domain).count("MetafieldsSet") == 1
    fields = fake_admin.customer_metafields(us.domain, f"gid://shopify/Customer/{customer}")
    assert fields["$app.points_balance"] == str(
        ledger.balance(us.id, member.id) - 10
    )  # before order 9
    assert fields["$app.tesmart_id_status"] == "active" and fields["$app.cohort"] == "2025-11"
    assert fields["$app.referral_link"].endswith(f"/apps/tesmart/r/{member.referral_code}")
    with time_machine.travel(start + timedelta(seconds=120), tick=False):
        sweep()
    assert fake_admin.operations_called(us.domain).count("MetafieldsSet") == 2
    assert fake_admin.customer_metafields(us.domain, f"gid://shopify/Customer/{customer}")[
        "$app.points_balance"
    ] == str(ledger.balance(us.id, member.id))


def _expiry_setup(
    shop: Any, make_member: Any, *, consent: bool, months: int | None
) -> tuple[Any, str]:
    shop.settings = {**(shop.settings or {}), "points_expiry_months": months}
    member, customer = make_member(shop, f"exp-{consent}-{months}@example.com")
    old = datetime.now(UTC) - timedelta(days=30 * (months or 12) - 10)
    ledger.post_entry(
        shop_id=shop.id,
        member_id=member.id,
        delta=300,
        kind="order",
        cause_key=f"order:old:{member.id}",
        at=old,
    )
    db.session.query(ShopCustomer).filter_by(shop_id=shop.id, customer_id=customer).update(
        {"newsletter_subscribed": consent}
    )
    db.session.commit()
    return member, customer


def test_points_expiring_are_emailed_only_with_marketing_consent(
    shops: Any, make_member: Any, fake_admin: Any, mailbox: Any
) -> None:
    de = shops["eu"]
    _expiry_setup(de, make_member, consent=True, months=12)
    _, other = _expiry_setup(de, make_member, consent=False, months=12)
    assert warn_expiring_points() == 2
    assert warn_expiring_points() == 2  # a second run sends nothing new
    [email] = mailbox.messages()
    assert "verfallen" in email.subject and "300" in email.subject
    triggers = fake_admin.flow_triggers(de.domain, "tesmart-points-expiring")
    assert len(triggers) == 2 and {t["payload"]["Points expiring"] for t in triggers} == {300}


def test_no_expiry_warning_where_expiry_is_off(shops: Any, make_member: Any, mailbox: Any) -> None:
    _expiry_setup(shops["us"], make_member, consent=True, months=None)
    assert warn_expiring_points() == 0
    assert mailbox.messages() == []


def test_a_warranty_decision_is_emailed_in_the_store_language(
    shops: Any, make_member: Any, fake_admin: Any, mailbox: Any
) -> None:
    from plugin.benefits.warranty_claims import approve_claim
    from plugin.models import Device, WarrantyClaim

    jp = shops["jp"]
    member, customer = make_member(jp, "claim@example.com")
    device = Device(
        shop_id=jp.id,
        member_id=member.id,
        order_id="1",
        line_item_id="1",
        title="TESmart HKS0401A",
        purchased_on=date.today() - timedelta(days=100),
        amount_paid=10000,
        currency="JPY",
        category="kvm",
    )
    db.session.add(device)
    db.session.flush()
    claim = WarrantyClaim(
        shop_id=jp.id,
        member_id=member.id,
        device_id=device.id,
        outcome="repair",
        return_shipping_paid_by="tesmart",
    )
    db.session.add(claim)
    db.session.commit()
    approve_claim(jp, claim.id, "staff:1")
    [email] = mailbox.messages()
    assert email.subject == "保証請求の審査結果" and "承認されました" in email.text
    [trigger] = fake_admin.flow_triggers(jp.domain, "tesmart-warranty-decided")
    assert trigger["payload"]["Decision"] == "approved"
