"""Rows the admin tests need, written the way the app writes them."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from plugin import ledger
from plugin.accounts import activate, get_or_create_member
from plugin.extensions import db
from plugin.models import Device, Member, Shop, ShopCustomer, TradeIn

_ids = itertools.count(5001)


def member(
    shop: Shop,
    email: str,
    *,
    first: str = "Jane",
    last: str = "Doe",
    activated: datetime | None = None,
    customer_id: str | None = None,
) -> Member:
    found = get_or_create_member(email)
    assert found is not None
    db.session.add(
        ShopCustomer(
            shop_id=shop.id,
            customer_id=customer_id or str(next(_ids)),
            member_id=found.id,
            email=email,
            first_name=first,
            last_name=last,
        )
    )
    if activated is not None:
        activate(found, activated, "storefront_login")
    ledger.ensure_wallet(shop.id, found.id)
    db.session.commit()
    return found


def points(
    shop: Shop,
    who: Member,
    delta: int,
    kind: str = "order",
    key: str | None = None,
    at: datetime | None = None,
) -> None:
    ledger.post_entry(
        shop_id=shop.id,
        member_id=who.id,
        delta=delta,
        kind=kind,
        cause_key=key or f"{kind}:{next(_ids)}",
        at=at,
    )
    db.session.commit()


def customer_id_of(shop: Shop, who: Member) -> str:
    row = db.session.query(ShopCustomer).filter_by(shop_id=shop.id, member_id=who.id).first()
    assert row is not None
    return row.customer_id


def trade_in(
    shop: Shop, who: Member, *, state: str = "applied", value: str = "45.00", **extra: Any
) -> TradeIn:
    device = Device(
        shop_id=shop.id,
        member_id=who.id,
        order_id=str(next(_ids)),
        order_name="#1001",
        line_item_id=str(next(_ids)),
        product_id="1",
        title="TESmart 4-port KVM switch",
        category="kvm_switch",
        serial=f"SN{next(_ids)}",
        serial_verified=True,
        purchased_on=date(2025, 12, 1),
        amount_paid=Decimal("90.00"),
        currency=shop.currency,
        delivery_country="US",
    )
    db.session.add(device)
    db.session.flush()
    row = TradeIn(
        shop_id=shop.id,
        member_id=who.id,
        device_id=device.id,
        state=state,
        cohort="2025-11",
        kind="recovery_value",
        percent=Decimal("50"),
        value=Decimal(value),
        currency=shop.currency,
        condition={
            "cosmetic_wear": False,
            "accessories_complete": True,
            "original_packaging": True,
            "working": True,
        },
        serial=device.serial,
        **extra,
    )
    db.session.add(row)
    db.session.commit()
    return row


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)
