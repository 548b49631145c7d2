"""Email takeover: a customer whose email Shopify reports as changed to another person's address is
never moved into that person's TESmart ID (POLICY.md 2; issues 14 and 15). An email on a Shopify
customer account is not proof that the customer owns it: staff, the API and classic accounts can
set any address, and Shopify's ``verified_email`` defaults to true for them.

Every attack goes in over HTTP, signed as Shopify signs it; the database is checked after.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from plugin import ledger
from plugin.extensions import db
from plugin.models import AuditLog, Device, Member, Order, ShopCustomer
from tests import payloads

VICTIM = "victim@example.com"
ATTACKER = "mallory@example.com"


def member_of(email: str) -> Member:
    db.session.expire_all()
    return db.session.execute(select(Member).where(Member.email_normalized == email)).scalar_one()


def row(customer_id: int) -> ShopCustomer:
    db.session.expire_all()
    return db.session.execute(
        select(ShopCustomer).where(ShopCustomer.customer_id == str(customer_id))
    ).scalar_one()


def victim_with_points_and_a_device(deliver: Any, proxy: Any) -> dict[str, Any]:
    switch = payloads.product(product_type="KVM Switch", title="KVM 4-port")
    deliver("products/create", switch)
    victim = payloads.customer(email=VICTIM)
    deliver("customers/create", victim)
    assert proxy("GET", "/member", customer=victim["id"]).status_code == 200  # logs in: activated
    order = payloads.order(
        customer_block=victim, lines=[payloads.line_item(switch["id"], "189.99")]
    )
    assert deliver("orders/paid", order).status_code == 200
    return {"customer": victim, "switch": switch}


def test_an_email_change_into_anothers_id_is_not_merged_and_the_merchant_sees_it(
    shops, deliver, proxy
) -> None:  # type: ignore[no-untyped-def]
    shop_id = shops["us"].id
    victim = victim_with_points_and_a_device(deliver, proxy)
    attacker = payloads.customer(email=ATTACKER)
    deliver("customers/create", attacker)
    before = ledger.balance(shop_id, member_of(VICTIM).id)

    takeover = {
        **attacker,
        "email": VICTIM,
        "verified_email": True,
        "updated_at": payloads.ago(minutes=-1),
    }
    assert deliver("customers/update", takeover).status_code == 200

    mallory, owner = member_of(ATTACKER), member_of(VICTIM)
    attacker_row = row(attacker["id"])
    assert attacker_row.member_id == mallory.id, (
        "the attacker's customer was moved into the victim's ID"
    )
    assert attacker_row.email == ATTACKER  # the claimed address is not applied...
    assert attacker_row.conflicting_email == VICTIM  # ...it waits for the merchant
    linked = (
        db.session.execute(
            select(ShopCustomer.customer_id).where(ShopCustomer.member_id == owner.id)
        )
        .scalars()
        .all()
    )
    assert linked == [str(victim["customer"]["id"])]
    assert ledger.balance(shop_id, owner.id) == before
    audit = db.session.execute(
        select(AuditLog).where(AuditLog.action == "customer.email_conflict")
    ).scalar_one()
    assert (audit.subject_id, audit.after["claimed_member_id"]) == (str(attacker["id"]), owner.id)

    # Logged in as the attacker, the storefront shows the attacker's own ID, never the victim's.
    seen = proxy("GET", "/member", customer=attacker["id"]).get_json()
    assert seen["points"]["balance"] == ledger.balance(shop_id, mallory.id) != before
    devices = proxy("GET", "/devices", customer=attacker["id"]).get_json()
    assert devices["devices"] == []
    assert (
        member_of(VICTIM).id == owner.id
        and db.session.execute(select(Device)).scalar_one().member_id == owner.id
    )


def test_an_order_under_the_claimed_email_stays_with_the_customers_own_id(
    shops, deliver, proxy
) -> None:  # type: ignore[no-untyped-def]
    victim = victim_with_points_and_a_device(deliver, proxy)
    attacker = payloads.customer(email=ATTACKER)
    deliver("customers/create", attacker)
    claimed = {**attacker, "email": VICTIM, "updated_at": payloads.ago(minutes=-1)}
    order = payloads.order(
        customer_block=claimed,
        email=VICTIM,
        lines=[payloads.line_item(victim["switch"]["id"], "189.99")],
    )
    assert deliver("orders/paid", order).status_code == 200

    placed = db.session.execute(
        select(Order).where(Order.order_id == str(order["id"]))
    ).scalar_one()
    assert placed.member_id == member_of(ATTACKER).id
    assert row(attacker["id"]).member_id == member_of(ATTACKER).id
    owners = {d.member_id for d in db.session.execute(select(Device)).scalars()}
    assert member_of(VICTIM).id in owners and len(owners) == 2


def test_a_customer_made_with_verified_email_true_activates_nobody(shops, deliver) -> None:  # type: ignore[no-untyped-def]
    made_by_api = payloads.customer(
        email=VICTIM, verified_email=True, updated_at=payloads.ago(minutes=-1)
    )
    assert deliver("customers/create", made_by_api).status_code == 200
    assert deliver("customers/update", made_by_api).status_code == 200
    assert member_of(VICTIM).activated_at is None


def test_moving_to_an_unused_email_still_works(shops, deliver) -> None:  # type: ignore[no-untyped-def]
    ann = payloads.customer(email="ann@example.com")
    deliver("customers/create", ann)
    deliver(
        "customers/update",
        {**ann, "email": "ann.new@example.com", "updated_at": payloads.ago(minutes=-1)},
    )
    moved = row(ann["id"])
    assert (
        moved.member_id == member_of("ann.new@example.com").id and moved.conflicting_email is None
    )
