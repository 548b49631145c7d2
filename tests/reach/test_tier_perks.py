"""A VIP tier's perks are delivered, not only shown (issue 19): the free-shipping perk is a
free-shipping code for that customer at Shopify (DiscountCodeFreeShippingCreate, checked against
the 2026-07 schema by the fake), one per tier period, ended when the member moves down; the gift
perk tags the member's first order of the tier period for the warehouse, once per period."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import time_machine
from sqlalchemy import select

from plugin import clock
from plugin.extensions import db
from plugin.jobs import sweep
from plugin.models import MemberTier, OutboxItem
from plugin.rewards import tiers
from tests import payloads
from tests.rewards.test_tiers import TIERS, held


def _pay(deliver: Any, fake_admin: Any, customer: str, email: str) -> int:
    gid = fake_admin.add_order("tesmart-us.myshopify.com", line_items=[{"price": "99.00"}])
    order_id = int(gid.rsplit("/", 1)[-1])
    body = payloads.order(
        order_id=order_id,
        lines=[payloads.line_item(None, "99.00")],
        customer_block=payloads.customer(int(customer), email),
        processed_at=clock.now().isoformat(),
    )
    assert deliver("orders/paid", body).status_code == 200
    return order_id


def _free_shipping(fake_admin: Any, customer: str) -> list[dict[str, Any]]:
    return [
        d
        for d in fake_admin.discount_codes("tesmart-us.myshopify.com")
        if d["type"] == "DiscountCodeFreeShipping"
        and d["customer_ids"] == [f"gid://shopify/Customer/{customer}"]
    ]


def test_reaching_a_free_shipping_tier_makes_one_code_for_the_member_for_the_period(
    shops: Any, make_member: Any, deliver: Any, fake_admin: Any, proxy: Any, mailbox: Any
) -> None:
    shop = shops["us"]
    member, customer = make_member(shop, "ship@example.com")
    tiers.save_rules(shop, TIERS, "staff:1")
    _pay(deliver, fake_admin, customer, "ship@example.com")
    assert _free_shipping(fake_admin, customer) == []  # "member" has no perk
    _pay(deliver, fake_admin, customer, "ship@example.com")  # 4,000 earned: VIP
    assert held(shop, member) == "vip"
    [code] = _free_shipping(fake_admin, customer)
    row = db.session.execute(
        select(MemberTier).where(MemberTier.member_id == member.id)
    ).scalar_one()
    assert code["code"] == tiers.perk_code(
        member.id, tiers.rules(shop).by_key("vip"), row.period_ends_on
    )
    assert code["status"] == "ACTIVE" and code["ends_at"].startswith(
        row.period_ends_on.isoformat()[:7]
    )
    assert (
        proxy("GET", "/tier", customer=customer).json["tier"]["perk_code"] == code["code"]
    )  # the widget's
    [email] = [m for m in mailbox.messages() if code["code"] in m.text]  # and the member is told
    assert email.subject == "Your VIP free-shipping code" and code["code"] in email.html
    _pay(deliver, fake_admin, customer, "ship@example.com")
    tiers.evaluate(shop, member, "again")
    db.session.commit()
    sweep()
    assert len(_free_shipping(fake_admin, customer)) == 1, "one code per tier period"
    assert len([m for m in mailbox.messages() if code["code"] in m.text]) == 1, "told once"


def test_moving_down_ends_the_periods_code(
    shops: Any, make_member: Any, deliver: Any, fake_admin: Any
) -> None:
    shop = shops["us"]
    member, customer = make_member(shop, "down@example.com")
    tiers.save_rules(shop, TIERS, "staff:1")
    _pay(deliver, fake_admin, customer, "down@example.com")
    _pay(deliver, fake_admin, customer, "down@example.com")
    [code] = _free_shipping(fake_admin, customer)
    row = db.session.execute(
        select(MemberTier).where(MemberTier.member_id == member.id)
    ).scalar_one()
    # Past the period's end with nothing earned in the window: down to "member" at the sweep.
    with time_machine.travel(clock.now() + timedelta(days=2 * 366), tick=False):
        tiers.apply_period_ends()
        sweep()
        assert held(shop, member) == "member"
        [after] = _free_shipping(fake_admin, customer)
        assert after["id"] == code["id"] and after["status"] == "EXPIRED"
        ends = (
            db.session.execute(select(OutboxItem).where(OutboxItem.kind == tiers.FREE_SHIPPING_END))
            .scalars()
            .all()
        )
        assert [e.state for e in ends] == ["done"]
    assert row.period_ends_on is not None


def test_the_gift_perk_tags_the_first_order_of_the_period_once(
    shops: Any, make_member: Any, deliver: Any, fake_admin: Any
) -> None:
    shop = shops["us"]
    member, customer = make_member(shop, "gift@example.com")
    tiers.save_rules(shop, TIERS, "staff:1")
    orders = [_pay(deliver, fake_admin, customer, "gift@example.com") for _ in range(6)]
    assert held(shop, member) == "vip_plus"  # 10,000+ earned at the fifth order (with VIP's 1.5x)
    items = (
        db.session.execute(
            select(OutboxItem).where(
                OutboxItem.kind == "order.tag", OutboxItem.idempotency_key.like("tier-perk:%")
            )
        )
        .scalars()
        .all()
    )
    assert len(items) == 1 and items[0].state == "done"
    tagged = items[0].payload["id"]
    assert "tesmart-tier-gift" in fake_admin.order("tesmart-us.myshopify.com", tagged)["tags"]
    untagged = [o for o in orders if f"gid://shopify/Order/{o}" != tagged]
    assert all(
        "tesmart-tier-gift"
        not in fake_admin.order("tesmart-us.myshopify.com", f"gid://shopify/Order/{o}")["tags"]
        for o in untagged
    )


def test_a_crash_after_shopify_made_the_code_makes_no_second_one(
    shops: Any, make_member: Any, deliver: Any, fake_admin: Any
) -> None:
    # The worker dies after Shopify answered and before the commit: the item runs again, Shopify
    # answers TAKEN for the same code, and the existing code is taken as made.
    from plugin.effects.tier_perks import create_free_shipping
    from plugin.shopify.admin_api import admin_client

    shop = shops["us"]
    member, customer = make_member(shop, "crash-perk@example.com")
    tiers.save_rules(shop, TIERS, "staff:1")
    _pay(deliver, fake_admin, customer, "crash-perk@example.com")
    _pay(deliver, fake_admin, customer, "crash-perk@example.com")
    [item] = (
        db.session.execute(select(OutboxItem).where(OutboxItem.kind == tiers.FREE_SHIPPING))
        .scalars()
        .all()
    )
    [made] = _free_shipping(fake_admin, customer)
    again = create_free_shipping(shop, item.payload, admin_client(shop))
    assert again == {"node_id": made["id"], "code": made["code"], "found_existing": True}
    assert len(_free_shipping(fake_admin, customer)) == 1


def test_a_cancelled_tesmart_id_ends_the_tiers_free_shipping_code(
    shops: Any, make_member: Any, deliver: Any, fake_admin: Any
) -> None:
    from plugin.members.membership import cancel_membership

    shop = shops["us"]
    member, customer = make_member(shop, "leave@example.com")
    tiers.save_rules(shop, TIERS, "staff:1")
    _pay(deliver, fake_admin, customer, "leave@example.com")
    _pay(deliver, fake_admin, customer, "leave@example.com")
    [code] = _free_shipping(fake_admin, customer)
    assert code["status"] == "ACTIVE"
    cancel_membership(shop, member, "staff:1", "asked to leave")
    sweep()
    [after] = _free_shipping(fake_admin, customer)
    assert after["status"] == "EXPIRED"
