"""Awarding reads a shop's campaigns from a per-process copy that is exact: a campaign written by
another process (here: by SQL, which no ORM event of this process sees) counts from the first
event after its commit, because the write moves ``shops.campaigns_version``."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import insert, update

from plugin.extensions import db
from plugin.models import Campaign, Shop
from tests import payloads
from tests.activation import activated
from tests.webhooks.conftest import balance, member
from tests.webhooks.test_orders import paid_order


def _order(kvm, n: int):  # type: ignore[no-untyped-def]
    return paid_order(kvm, order_id=6_100_000 + n, created_at="2026-11-20T10:00:00+00:00")


def test_a_campaign_another_process_writes_counts_once_its_version_moves(
    shops, kvm, deliver
) -> None:  # type: ignore[no-untyped-def]
    shop_id = shops["us"].id
    deliver(
        "customers/update",
        payloads.customer(
            email="ann@example.com", verified_email=True, updated_at="2026-11-01T00:00:00Z"
        ),
    )
    activated("ann@example.com", "2026-11-01T00:00:00Z")
    deliver("orders/paid", _order(kvm, 1))  # no campaign yet: read, and kept by this process
    ann = member("ann@example.com")
    assert balance(shop_id, ann.id) == 2000

    campaign = {
        "shop_id": shop_id,
        "kind": "points_multiplier",
        "title": "Points Day",
        "starts_at": datetime(2026, 11, 20, tzinfo=UTC),
        "ends_at": datetime(2026, 11, 21, tzinfo=UTC),
        "multiplier": Decimal(3),
        "details": {},
        "created_at": datetime(2026, 11, 19, tzinfo=UTC),
    }
    db.session.execute(insert(Campaign.__table__).values(**campaign))  # no ORM event here
    db.session.commit()
    deliver("orders/paid", _order(kvm, 2))
    assert balance(shop_id, ann.id) == 4000, "the copy is kept while the version stands"

    db.session.execute(
        update(Shop).where(Shop.id == shop_id).values(campaigns_version=Shop.campaigns_version + 1)
    )
    db.session.commit()
    deliver("orders/paid", _order(kvm, 3))
    assert balance(shop_id, ann.id) == 4000 + 6000


def test_an_orm_campaign_write_moves_the_shops_version(shops) -> None:  # type: ignore[no-untyped-def]
    shop = db.session.get(Shop, shops["us"].id)
    before = shop.campaigns_version
    db.session.add(
        Campaign(
            shop_id=shop.id,
            kind="gift",
            title="Gift",
            starts_at=datetime(2026, 11, 20, tzinfo=UTC),
            ends_at=datetime(2026, 11, 21, tzinfo=UTC),
        )
    )
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Shop, shop.id).campaigns_version == before + 1
