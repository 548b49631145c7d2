from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from plugin import ledger
from plugin.extensions import db
from plugin.models import Member, PointEntry
from tests import payloads


@pytest.fixture()
def kvm(shops, deliver) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A KVM switch and a cable in the US shop's catalogue."""
    switch = payloads.product(title="TESmart 8-port KVM", product_type="KVM Switch")
    cable = payloads.product(title="HDMI cable", product_type="Cable")
    assert deliver("products/create", switch).status_code == 200
    assert deliver("products/create", cable).status_code == 200
    return {"switch": switch, "cable": cable}


def member(email: str) -> Member:
    db.session.expire_all()
    return db.session.execute(
        select(Member).where(Member.email_normalized == email.casefold())
    ).scalar_one()


def entries(shop_id: int, member_id: int) -> list[PointEntry]:
    db.session.expire_all()
    return list(
        db.session.execute(
            select(PointEntry)
            .where(PointEntry.shop_id == shop_id, PointEntry.member_id == member_id)
            .order_by(PointEntry.id)
        ).scalars()
    )


def balance(shop_id: int, member_id: int) -> int:
    db.session.expire_all()
    cached = ledger.balance(shop_id, member_id)
    assert cached == ledger.sum_of_entries(shop_id, member_id), (
        "cached balance drifted from the ledger"
    )
    return cached
