"""Reconciliation heals lost webhooks through the Admin API; a duplicate is harmless."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from plugin import clock
from plugin.extensions import db
from plugin.models import Device, Shop
from plugin.sync.reconcile import reconcile_all
from tests import payloads
from tests.webhooks.conftest import balance, entries, member


def installed_earlier(shop_id: int) -> None:
    shop = db.session.get(Shop, shop_id)
    shop.installed_at = clock.now() - timedelta(days=30)
    db.session.commit()


def seed(fake_admin) -> None:  # type: ignore[no-untyped-def]
    domain = "tesmart-us.myshopify.com"
    product = fake_admin.add_product(domain, title="TESmart KVM", product_type="KVM Switch")
    customer = fake_admin.add_customer(
        domain,
        email="lost@example.com",
        verified_email=True,
        created_at=payloads.ago(20),
        updated_at=payloads.ago(20),
    )
    fake_admin.add_order(
        domain,
        customer=customer,
        currency="USD",
        created_at=payloads.ago(18),
        line_items=[{"price": "150.00", "quantity": 1, "product": product}],
        shipping_address={
            "address1": "1 Main St",
            "zip": "10001",
            "city": "NYC",
            "country_code": "US",
        },
    )


def test_lost_webhooks_are_healed_by_reconciliation(shops, fake_admin) -> None:  # type: ignore[no-untyped-def]
    installed_earlier(shops["us"].id)
    seed(fake_admin)
    result = reconcile_all("tesmart-us.myshopify.com")
    assert result["tesmart-us.myshopify.com"] == {"orders": 1, "customers": 1}
    lost = member("lost@example.com")
    assert lost.activated_at is None  # Shopify's verified_email is no proof (POLICY.md 2)
    assert balance(shops["us"].id, lost.id) == 2100  # sign-up + order
    assert db.session.execute(select(Device)).scalar_one().category == "kvm_switch"


def test_reconciliation_after_the_webhooks_changes_nothing(shops, deliver, fake_admin) -> None:  # type: ignore[no-untyped-def]
    installed_earlier(shops["us"].id)
    seed(fake_admin)
    reconcile_all("tesmart-us.myshopify.com")
    before = [
        (e.cause_key, e.delta) for e in entries(shops["us"].id, member("lost@example.com").id)
    ]
    db.session.get(Shop, shops["us"].id).last_reconciled_at = clock.now() - timedelta(days=30)
    db.session.commit()
    reconcile_all("tesmart-us.myshopify.com")
    after = [(e.cause_key, e.delta) for e in entries(shops["us"].id, member("lost@example.com").id)]
    assert after == before


def test_customers_from_before_the_install_earn_no_signup_points(shops, fake_admin) -> None:  # type: ignore[no-untyped-def]
    shop = db.session.get(Shop, shops["us"].id)
    shop.installed_at = clock.now() - timedelta(days=1)
    shop.last_reconciled_at = clock.now() - timedelta(days=330)
    db.session.commit()
    fake_admin.add_customer(
        "tesmart-us.myshopify.com",
        email="old@example.com",
        created_at=payloads.ago(700),
        updated_at=payloads.ago(),
    )
    reconcile_all("tesmart-us.myshopify.com")
    assert balance(shops["us"].id, member("old@example.com").id) == 0


def test_a_failing_shop_does_not_stop_the_others(shops, fake_admin, slept) -> None:  # type: ignore[no-untyped-def]
    # The US shop (reconciled first) answers 500 to all five attempts of its first request; the
    # others answer normally, and the EU shop has an order its webhook never brought.
    eu = "tesmart-eu.myshopify.com"
    customer = fake_admin.add_customer(
        eu,
        email="lost.eu@example.com",
        verified_email=True,
        created_at=payloads.ago(2),
        updated_at=payloads.ago(2),
    )
    fake_admin.add_order(
        eu,
        customer=customer,
        currency="EUR",
        created_at=payloads.ago(1),
        line_items=[
            {
                "price": "150.00",
                "quantity": 1,
                "product": fake_admin.add_product(
                    eu, title="TESmart KVM", product_type="KVM Switch"
                ),
            }
        ],
        shipping_address={
            "address1": "1 Hauptstr.",
            "zip": "10115",
            "city": "Berlin",
            "country_code": "DE",
        },
    )
    for shop in shops.values():
        installed_earlier(shop.id)
    fake_admin.inject("http_500", times=5)
    result = reconcile_all()
    assert set(result) == {s.domain for s in shops.values()}
    assert [domain for domain, r in result.items() if "error" in r] == ["tesmart-us.myshopify.com"]
    assert result[eu] == {"orders": 1, "customers": 1}
    assert fake_admin.pending_faults() == []
    # The client backed off between its attempts through the injected sleep: no real waiting.
    assert len(slept) == 4 and all(s > 0 for s in slept)
