"""The mandatory compliance topics (POLICY.md 8): data request, customer redaction, shop redaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select

from plugin import clock
from plugin.extensions import db
from plugin.models import (
    DataRequest,
    Device,
    Member,
    MemberBirthday,
    MemberTier,
    Order,
    PointEntry,
    Redemption,
    ReturnRequest,
    Shop,
    ShopCustomer,
    TierChange,
    TradeIn,
    WarrantyClaim,
)
from plugin.services.members import find_member_by_email
from plugin.services.shopify_payload import shopify_id


def _customer_and_member(shop: Shop, payload: dict[str, Any]) -> tuple[ShopCustomer | None, Member | None]:
    customer_block = payload.get("customer") or {}
    customer_id = shopify_id(customer_block.get("id"))
    customer = None
    if customer_id:
        customer = db.session.execute(
            select(ShopCustomer).where(ShopCustomer.shop_id == shop.id, ShopCustomer.customer_id == customer_id)
        ).scalar_one_or_none()
    member = db.session.get(Member, customer.member_id) if customer and customer.member_id else None
    if member is None and isinstance(customer_block.get("email"), str):
        member = find_member_by_email(customer_block["email"])
    return customer, member


def member_record(shop: Shop, member: Member | None, customer: ShopCustomer | None) -> dict[str, Any]:
    """Everything the app holds on a person in one shop, for the merchant to hand over."""
    def rows(model: Any, **where: Any) -> list[dict[str, Any]]:
        stmt = select(model).where(model.shop_id == shop.id, *[getattr(model, k) == v for k, v in where.items()])
        return [
            {c.name: _plain(getattr(row, c.key)) for c in model.__table__.columns}
            for row in db.session.execute(stmt).scalars()
        ]

    record: dict[str, Any] = {"shop": shop.domain, "generated_at": clock.now().isoformat()}
    if customer is not None:
        record["customer"] = {
            "customer_id": customer.customer_id,
            "email": customer.email,
            "first_name": customer.first_name,
            "last_name": customer.last_name,
            "newsletter_subscribed": customer.newsletter_subscribed,
        }
    if member is not None:
        record["tesmart_id"] = {
            "email": member.email,
            "registered_at": _plain(member.registered_at),
            "activated_at": _plain(member.activated_at),
            "state": member.state,
        }
        record["ledger"] = rows(PointEntry, member_id=member.id)
        record["orders"] = rows(Order, member_id=member.id)
        record["devices"] = rows(Device, member_id=member.id)
        record["redemptions"] = rows(Redemption, member_id=member.id)
        record["trade_ins"] = rows(TradeIn, member_id=member.id)
        record["warranty_claims"] = rows(WarrantyClaim, member_id=member.id)
        record["returns"] = rows(ReturnRequest, member_id=member.id)
        record["birthday"] = rows(MemberBirthday, member_id=member.id)
        record["tier"] = rows(MemberTier, member_id=member.id)
        record["tier_changes"] = rows(TierChange, member_id=member.id)
    return record


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value is not None and type(value).__name__ == "Decimal":
        return str(value)
    return value


def data_request(shop: Shop, payload: dict[str, Any]) -> DataRequest:
    customer, member = _customer_and_member(shop, payload)
    request = DataRequest(
        shop_id=shop.id,
        customer_id=customer.customer_id if customer else shopify_id((payload.get("customer") or {}).get("id")),
        member_id=member.id if member else None,
        record=member_record(shop, member, customer),
    )
    db.session.add(request)
    return request


def redact_customer(shop: Shop, payload: dict[str, Any]) -> None:
    """Erase personal data; keep the ledger's anonymous totals (entries stay, with no person)."""
    customer, member = _customer_and_member(shop, payload)
    if customer is not None:
        customer.email = customer.first_name = customer.last_name = None
    if member is not None:
        for order in db.session.execute(select(Order).where(Order.shop_id == shop.id, Order.member_id == member.id)).scalars():
            order.delivery_address = None
        for request in db.session.execute(
            select(ReturnRequest).where(ReturnRequest.shop_id == shop.id, ReturnRequest.member_id == member.id)
        ).scalars():
            request.phone = None
            request.delivery_address = None
            request.photos = []
            request.proof_of_purchase = None
        db.session.execute(delete(DataRequest).where(DataRequest.shop_id == shop.id, DataRequest.member_id == member.id))
        db.session.execute(
            delete(MemberBirthday).where(MemberBirthday.shop_id == shop.id, MemberBirthday.member_id == member.id)
        )
        other_shops = db.session.execute(
            select(func.count()).select_from(ShopCustomer).where(
                ShopCustomer.member_id == member.id, ShopCustomer.shop_id != shop.id
            )
        ).scalar()
        if not other_shops:  # the TESmart ID is this shop's alone: the person is gone
            member.email = None
            member.email_normalized = None
            member.redacted_at = clock.now()


def redact_shop(shop: Shop) -> None:
    """shop/redact: delete everything the app holds for the shop (children before parents)."""
    for table in reversed(db.metadata.sorted_tables):
        if table.name != "shops" and "shop_id" in table.c:
            db.session.execute(table.delete().where(table.c.shop_id == shop.id))
    db.session.execute(delete(Shop).where(Shop.id == shop.id))
