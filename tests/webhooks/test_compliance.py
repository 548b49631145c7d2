"""The mandatory compliance topics (POLICY.md 8)."""

from __future__ import annotations

from sqlalchemy import func, select

from plugin.extensions import db
from plugin.models import DataRequest, Member, PointEntry, Shop, ShopCustomer
from tests import payloads
from tests.webhooks.conftest import member


def test_data_request_keeps_the_members_record_for_the_merchant(shops, kvm, deliver) -> None:  # type: ignore[no-untyped-def]
    created = payloads.customer(email="ann@example.com")
    deliver("customers/create", created)
    deliver(
        "orders/paid",
        payloads.order(
            lines=[payloads.line_item(kvm["switch"]["id"], "99.00")], customer_block=created
        ),
    )
    deliver(
        "customers/data_request",
        payloads.compliance_customer("tesmart-us.myshopify.com", created["id"], "ann@example.com"),
    )
    request = db.session.execute(select(DataRequest)).scalar_one()
    assert request.record["tesmart_id"]["email"] == "ann@example.com"
    assert {e["kind"] for e in request.record["ledger"]} == {"signup", "order"}
    assert len(request.record["devices"]) == 1


def test_customer_redaction_erases_personal_data_and_keeps_ledger_totals(shops, deliver) -> None:  # type: ignore[no-untyped-def]
    created = payloads.customer(email="ann@example.com")
    deliver("customers/create", created)
    ann_id = member("ann@example.com").id
    deliver(
        "customers/redact",
        payloads.compliance_customer("tesmart-us.myshopify.com", created["id"], "ann@example.com"),
    )
    db.session.expire_all()
    ann = db.session.get(Member, ann_id)
    assert ann.email is None and ann.email_normalized is None and ann.redacted_at is not None
    customer = db.session.execute(select(ShopCustomer)).scalar_one()
    assert customer.email is None and customer.first_name is None
    total = db.session.execute(
        select(func.sum(PointEntry.delta)).where(PointEntry.member_id == ann_id)
    ).scalar_one()
    assert total == 100


def test_redaction_in_one_shop_keeps_an_id_used_by_another(shops, deliver) -> None:  # type: ignore[no-untyped-def]
    created = payloads.customer(email="ann@example.com")
    deliver("customers/create", created)
    deliver("customers/create", payloads.customer(email="ann@example.com"), shop="eu")
    deliver(
        "customers/redact",
        payloads.compliance_customer("tesmart-us.myshopify.com", created["id"], "ann@example.com"),
    )
    assert member("ann@example.com").redacted_at is None


def test_shop_redaction_deletes_the_shops_data(shops, deliver) -> None:  # type: ignore[no-untyped-def]
    deliver("customers/create", payloads.customer(email="ann@example.com"))
    deliver("customers/create", payloads.customer(email="ann@example.com"), shop="eu")
    deliver("app/uninstalled", payloads.shop("tesmart-us.myshopify.com"))
    assert (
        deliver("shop/redact", payloads.shop_redact("tesmart-us.myshopify.com")).status_code == 200
    )
    db.session.expire_all()
    domains = set(db.session.execute(select(Shop.domain)).scalars())
    assert "tesmart-us.myshopify.com" not in domains and "tesmart-eu.myshopify.com" in domains
    assert db.session.execute(select(func.count()).select_from(ShopCustomer)).scalar_one() == 1
