"""Ending a TESmart ID (POLICY.md 2): unused points forfeited by a ledger entry, unused reward codes
disabled through the outbox, no compensation, the merchant's action audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from plugin.extensions import db
from plugin.members.membership import MembershipError, cancel_membership, revoke_membership
from plugin.models import AuditLog, Member, PointEntry, Reward
from plugin.rewards.redemptions import RedemptionError, issue_coupon, redeem
from tests.rewards.conftest import balance, codes_for, redemption, settle_outbox


def reward_id(shop, points: int) -> int:  # type: ignore[no-untyped-def]
    return db.session.execute(
        select(Reward.id).where(Reward.shop_id == shop.id, Reward.points == points)
    ).scalar_one()


def fresh(member: Member) -> Member:
    db.session.expire_all()
    return db.session.get(Member, member.id)


def test_cancelling_forfeits_points_in_every_shop_and_disables_unused_codes(
    shops, make_member, fake_admin, deliver
) -> None:  # type: ignore[no-untyped-def]
    us, eu = shops["us"], shops["eu"]
    member, us_customer = make_member(us, "ann@example.com", points=2_600)
    _, eu_customer = make_member(eu, "ann@example.com", points=500)
    unused = redeem(us, member, us_customer, reward_id(us, 500))
    used = redeem(us, fresh(member), us_customer, reward_id(us, 1000))
    unused_id, used_id, unused_code, used_code = unused.id, used.id, unused.code, used.code
    trade_in = issue_coupon(
        us,
        fresh(member),
        us_customer,
        purpose="trade_in",
        title="Trade-in 30% off",
        kind="percentage",
        percentage="30",
        idempotency_key="trade-in:1",
    )
    trade_in_id = trade_in.id
    db.session.commit()
    from tests import payloads

    order = payloads.order(
        lines=[payloads.line_item(None, "50.00")],
        customer_block=payloads.customer(int(us_customer), email="ann@example.com"),
        discount_codes=[{"code": used_code, "amount": "15.00", "type": "fixed_amount"}],
    )
    deliver("orders/paid", order)  # the 1,000-point code was used (and the order earned 2,000)

    forfeited = cancel_membership("all", fresh(member), "staff:7", "asked by email")
    settle_outbox()

    assert forfeited == {us.domain: 1_100 + 2_000, eu.domain: 500}
    assert balance(us.id, member.id) == 0
    assert balance(eu.id, member.id) == 0
    assert fresh(member).state == "cancelled" and fresh(member).cancelled_at is not None
    assert redemption(unused_id).state == "disabled"
    assert codes_for(fake_admin, us, unused_code)[0]["status"] == "EXPIRED"
    assert redemption(used_id).state == "issued"  # used: nothing to disable
    assert redemption(trade_in_id).state == "issued"  # owed for a device, not a benefit
    audit = (
        db.session.execute(
            select(AuditLog)
            .where(AuditLog.action == "membership.cancel")
            .order_by(AuditLog.shop_id)
        )
        .scalars()
        .all()
    )
    assert [
        (a.shop_id, a.actor, a.after["points_forfeited"], a.after["codes_disabled"]) for a in audit
    ] == [
        (us.id, "staff:7", 3_100, 1),
        (eu.id, "staff:7", 500, 0),
        (shops["jp"].id, "staff:7", 0, 0),
        (shops["kr"].id, "staff:7", 0, 0),
    ]
    kinds = (
        db.session.execute(select(PointEntry.kind).where(PointEntry.kind == "forfeit"))
        .scalars()
        .all()
    )
    assert kinds == ["forfeit", "forfeit"]
    with pytest.raises(RedemptionError) as refused:
        redeem(us, fresh(member), us_customer, reward_id(us, 500))
    assert refused.value.code == "id_not_active"
    with pytest.raises(MembershipError):
        cancel_membership("all", fresh(member), "staff:7", "again")


def test_a_code_still_pending_is_never_created_once_disabled(
    shops, make_member, fake_admin, held_jobs
) -> None:  # type: ignore[no-untyped-def]
    us = shops["us"]
    member, customer = make_member(us, "ann@example.com", points=600)
    made = redeem(us, member, customer, reward_id(us, 500))
    made_id = made.id
    cancel_membership(us, fresh(member), "staff:7", "asked in a chat")
    settle_outbox()
    assert redemption(made_id).state == "disabled"
    assert fake_admin.discount_codes(us.domain) == []
    assert balance(us.id, member.id) == 0  # no compensation: the 500 spent stay spent


def test_revoking_for_fraud_in_one_shop(shops, make_member) -> None:  # type: ignore[no-untyped-def]
    member, _ = make_member(shops["us"], "fraud@example.com", points=900)
    make_member(shops["eu"], "fraud@example.com", points=400)
    assert revoke_membership(shops["us"], member, "staff:1", "coupon abuse") == {
        shops["us"].domain: 900
    }
    assert fresh(member).state == "revoked"
    assert balance(shops["eu"].id, member.id) == 400  # the EU merchant acts on their own shop
    with pytest.raises(MembershipError):
        revoke_membership(shops["us"], fresh(member), "staff:1", "again")


def test_a_reason_is_required(shops, make_member) -> None:  # type: ignore[no-untyped-def]
    member, _ = make_member(shops["us"], "ann@example.com", points=900)
    with pytest.raises(MembershipError):
        cancel_membership("all", member, "staff:1", "  ")
    assert fresh(member).state == "open"
    assert balance(shops["us"].id, member.id) == 900
