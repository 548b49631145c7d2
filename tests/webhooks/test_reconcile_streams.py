"""Reconciliation: a cursor per stream, paging past 100 orders, refunds that settle later,
protected customer data refused field by field, and the current subtotal (issue: real Shopify)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from plugin.extensions import db
from plugin.models import Order, OrderRefund, Shop
from plugin.models.types import utcnow
from plugin.shopify.payloads import OrderSnapshot
from plugin.sync import reconcile
from plugin.sync.reconcile import reconcile_all
from tests.webhooks.conftest import balance, member

DOMAIN = "tesmart-us.myshopify.com"


def ago(**delta: float) -> str:
    return (utcnow() - timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(autouse=True)
def plus_store(app, fake_admin):  # type: ignore[no-untyped-def]
    """Reconciliation reads many pages: the store is on Shopify Plus (1,000 points a second). The
    client's rate-limit waits are recorded, not slept, and move the clock the fake's bucket
    restores on (tests/conftest.py ``Sleeps``)."""
    bucket = fake_admin._state(DOMAIN).bucket
    bucket.restore_rate = 1000.0


@pytest.fixture()
def us(shops):  # type: ignore[no-untyped-def]
    shop = db.session.get(Shop, shops["us"].id)
    shop.installed_at = utcnow() - timedelta(days=30)
    shop.last_reconciled_at = utcnow() - timedelta(days=3)
    db.session.commit()
    return shop


def buyers(fake_admin, count: int, *, hours_ago: float = 5, **order) -> list[str]:  # type: ignore[no-untyped-def]
    product = fake_admin.add_product(
        DOMAIN, title="TESmart KVM", product_type="KVM Switch", updated_at=ago(days=20)
    )
    made = []
    for n in range(count):
        stamp = ago(hours=hours_ago, seconds=-n)
        customer = fake_admin.add_customer(
            DOMAIN, email=f"buyer{n}@example.com", created_at=ago(days=20), updated_at=ago(days=20)
        )
        made.append(
            fake_admin.add_order(
                DOMAIN,
                customer=customer,
                created_at=stamp,
                updated_at=stamp,
                line_items=[{"price": "100.00", "product": product}],
                **order,
            )
        )
    return made


def awarded_orders(shop_id: int) -> int:
    db.session.expire_all()
    return int(
        db.session.execute(
            select(func.count(Order.id)).where(Order.shop_id == shop_id, Order.points_awarded > 0)
        ).scalar()
        or 0
    )


def test_one_run_covers_more_than_100_orders(us, fake_admin) -> None:  # type: ignore[no-untyped-def]
    buyers(fake_admin, 104)
    assert reconcile_all(DOMAIN)[DOMAIN]["orders"] == 104
    assert awarded_orders(us.id) == 104


def test_a_stream_stopped_at_its_page_bound_resumes_where_it_stopped(
    us, fake_admin, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    # Orders updated five hours ago; a customer changed an hour ago. The orders stream stops after
    # one page; the customers stream finishes. One shared "newest" jumped to the customer's hour
    # and never read the orders left behind.
    buyers(fake_admin, 7)
    fake_admin.add_customer(
        DOMAIN, email="late@example.com", created_at=ago(days=20), updated_at=ago(hours=1)
    )
    monkeypatch.setattr(reconcile, "MAX_PAGES", 1)
    reconcile_all(DOMAIN)
    assert awarded_orders(us.id) == 3  # one page of OrdersUpdatedSince
    reconcile_all(DOMAIN)
    reconcile_all(DOMAIN)
    assert awarded_orders(us.id) == 7


def test_a_refund_pending_at_reconciliation_counts_once_it_settles(us, fake_admin) -> None:  # type: ignore[no-untyped-def]
    [order_gid] = buyers(fake_admin, 1, presentment_currency="CAD", rate="1.37")
    refund_gid = fake_admin.add_refund(
        DOMAIN, order_gid, "68.50", status="PENDING", created_at=ago(hours=4)
    )
    reconcile_all(DOMAIN)
    buyer = member("buyer0@example.com")
    assert balance(us.id, buyer.id) == 2000
    assert db.session.execute(select(OrderRefund.pending)).scalar_one() is True
    fake_admin.settle_refund(DOMAIN, order_gid, refund_gid)
    reconcile_all(DOMAIN)
    assert balance(us.id, buyer.id) == 1000  # half of a CAD order, in shop money


def test_refused_protected_fields_do_not_fail_a_reconciliation(us, fake_admin) -> None:  # type: ignore[no-untyped-def]
    # An app not approved for level 2 addresses: data comes with an ACCESS_DENIED error per field.
    fake_admin.refuse_protected_fields(DOMAIN, {"address1", "zip", "email"})
    buyers(
        fake_admin,
        2,
        shipping_address={
            "address1": "1 Main St",
            "zip": "10001",
            "city": "NYC",
            "country_code": "CA",
        },
    )
    result = reconcile_all(DOMAIN)[DOMAIN]
    assert result["orders"] == 2
    assert awarded_orders(us.id) == 2
    db.session.expire_all()
    rows = db.session.execute(select(Order.delivery_country, Order.delivery_address)).all()
    assert {country for country, _ in rows} == {"CA"}
    assert all(address["address1"] is None for _, address in rows)


def test_the_current_subtotal_comes_from_current_subtotal_price_set() -> None:
    node = {
        "id": "gid://shopify/Order/1",
        "currencyCode": "USD",
        "displayFinancialStatus": "PARTIALLY_REFUNDED",
        "subtotalPriceSet": {"shopMoney": {"amount": "100.00", "currencyCode": "USD"}},
        "currentSubtotalPriceSet": {"shopMoney": {"amount": "60.00", "currencyCode": "USD"}},
    }
    snapshot = OrderSnapshot.from_graphql(node)
    assert (snapshot.subtotal, snapshot.current_subtotal) == (Decimal("100.00"), Decimal("60.00"))
    assert snapshot.net == Decimal("60.00")
