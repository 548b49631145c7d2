"""Campaigns for activated members (POLICY.md 3): member-only codes and gifts with a purchase."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from plugin.extensions import db
from plugin.models import Campaign, OutboxItem, Redemption
from tests import payloads
from tests.activation import activated


def campaign(shop_id: int, kind: str, **fields) -> int:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    row = Campaign(
        shop_id=shop_id,
        kind=kind,
        title=f"{kind} week",
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=6),
        **fields,
    )
    db.session.add(row)
    db.session.commit()
    return row.id


def active_member(deliver, fake_admin, email: str = "ann@example.com") -> dict:  # type: ignore[no-untyped-def]
    customer = payloads.customer(
        email=email, verified_email=True, updated_at="2026-11-01T00:00:00Z"
    )
    fake_admin.add_customer("tesmart-us.myshopify.com", email=email, customer_id=customer["id"])
    deliver("customers/create", customer)
    deliver("customers/update", customer)
    activated(email, "2026-11-01T00:00:00Z")
    return customer


def test_member_only_offer_gives_each_activated_member_one_code(
    shops, deliver, proxy, fake_admin
) -> None:  # type: ignore[no-untyped-def]
    offer = campaign(shops["us"].id, "member_discount", discount_percent=Decimal("15"))
    ann = active_member(deliver, fake_admin)
    first = proxy("POST", f"/campaigns/{offer}/code", customer=ann["id"])
    again = proxy("POST", f"/campaigns/{offer}/code", customer=ann["id"])
    assert first.status_code == 202 and again.get_json()["id"] == first.get_json()["id"]
    issued = proxy("GET", f"/redemptions/{first.get_json()['id']}", customer=ann["id"]).get_json()
    assert (
        issued["status"] == "issued" and issued["points"] == 0 and issued["purpose"] == "campaign"
    )
    assert len(fake_admin.discount_codes("tesmart-us.myshopify.com")) == 1


def test_member_only_offer_needs_an_activated_id(shops, deliver, proxy) -> None:  # type: ignore[no-untyped-def]
    offer = campaign(shops["us"].id, "member_discount", discount_percent=Decimal("15"))
    pending = payloads.customer(email="pending@example.com")
    deliver("customers/create", pending)
    db.session.expire_all()
    from plugin.models import Member

    member = db.session.execute(select(Member)).scalar_one()
    member.activated_at = None
    db.session.commit()
    # the storefront activates a logged-in customer; a cancelled membership stays refused
    member.state = "cancelled"
    db.session.commit()
    assert proxy("POST", f"/campaigns/{offer}/code", customer=pending["id"]).status_code == 403


def test_unknown_or_other_shops_campaign_is_404(shops, deliver, proxy, fake_admin) -> None:  # type: ignore[no-untyped-def]
    other = campaign(shops["eu"].id, "member_discount", discount_percent=Decimal("15"))
    ann = active_member(deliver, fake_admin)
    assert proxy("POST", f"/campaigns/{other}/code", customer=ann["id"]).status_code == 404
    assert proxy("POST", "/campaigns/999999/code", customer=ann["id"]).status_code == 404
    assert db.session.execute(select(Redemption)).first() is None


def test_gift_with_purchase_tags_a_qualifying_members_order_once(
    shops, deliver, fake_admin
) -> None:  # type: ignore[no-untyped-def]
    gift = campaign(shops["us"].id, "gift", min_subtotal=Decimal("100"))
    switch = payloads.product(product_type="KVM Switch")
    deliver("products/create", switch)
    ann = active_member(deliver, fake_admin)
    order_gid = fake_admin.add_order("tesmart-us.myshopify.com", line_items=[{"price": "150.00"}])
    order_id = int(order_gid.rsplit("/", 1)[-1])
    now = datetime.now(UTC).isoformat()
    big = payloads.order(
        order_id=order_id,
        lines=[payloads.line_item(switch["id"], "150.00")],
        customer_block=ann,
        created_at=now,
    )
    small = payloads.order(
        lines=[payloads.line_item(switch["id"], "50.00")], customer_block=ann, created_at=now
    )
    deliver("orders/paid", big)
    deliver("orders/paid", big)
    deliver("orders/paid", small)
    items = (
        db.session.execute(select(OutboxItem).where(OutboxItem.kind == "order.tag")).scalars().all()
    )
    assert [i.idempotency_key for i in items] == [f"gift:{gift}:{order_id}"]
    assert items[0].state == "done"
    assert "tesmart-gift" in fake_admin.order("tesmart-us.myshopify.com", order_gid)["tags"]
