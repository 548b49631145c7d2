"""GDPR: what customers/redact and shop/redact leave behind (issue 15, invariant 9).

The person has a unique email, name, phone and street, spread the way a real customer spreads
them: customer webhooks, orders with a delivery address, a return request, a warranty claim and a
CTRL F application written in their own words. After customers/redact no byte of any of it may be
left in any table, in any stored webhook body, or in the SQLite file (WAL included); a late
redelivery must not bring it back.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import String, Text, select, text

from plugin.extensions import db
from plugin.models import (
    CtrlFApplication,
    CtrlFProgram,
    DataRequest,
    Device,
    Member,
    Order,
    ReturnRequest,
    ShopCustomer,
    WarrantyClaim,
    WebhookEvent,
)
from plugin.models.types import utcnow
from tests import payloads
from tests.conftest import SHOP_DOMAINS
from tests.security.conftest import count

EMAIL = "zebulon.quixotic@example.org"
FIRST, LAST = "Zebulon", "Quixotic"
PHONE = "+1-555-867-5309"
STREET = "742 Evergreen Terrace"
PERSONAL = (EMAIL, FIRST, LAST, PHONE, STREET)


def person(shop: str = "us") -> dict[str, Any]:
    return payloads.customer(email=EMAIL, first_name=FIRST, last_name=LAST, phone=PHONE)


@pytest.fixture()
def zebulon(shops, deliver) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    kvm = payloads.product(product_type="KVM Switch")
    assert deliver("products/create", kvm).status_code == 200
    customer = person()
    assert deliver("customers/create", customer).get_json()["status"] == "accepted"
    order = payloads.order(customer_block=customer, lines=[payloads.line_item(kvm["id"], "149.00")])
    for block in ("shipping_address", "billing_address"):
        order[block] = {
            **order[block],
            "first_name": FIRST,
            "last_name": LAST,
            "name": f"{FIRST} {LAST}",
            "address1": STREET,
            "phone": PHONE,
        }
    order["phone"] = PHONE
    assert deliver("orders/paid", order).get_json()["status"] == "accepted"
    fulfilled = {
        **order,
        "fulfillment_status": "fulfilled",
        "updated_at": "2026-11-21T12:00:00-05:00",
    }
    assert deliver("orders/fulfilled", fulfilled).get_json()["status"] == "accepted"
    shop = shops["us"]
    member = db.session.execute(select(Member).where(Member.email_normalized == EMAIL)).scalar_one()
    device = (
        db.session.execute(select(Device).where(Device.member_id == member.id)).scalars().first()
    )
    words = f"Please call {FIRST} {LAST} on {PHONE} or write to {EMAIL}; I live at {STREET}."
    db.session.add(
        ReturnRequest(
            shop_id=shop.id,
            member_id=member.id,
            customer_id=str(customer["id"]),
            order_id=str(order["id"]),
            reason="faulty",
            description=words,
            outcome="refund",
            return_shipping_paid_by="store",
            phone=PHONE,
            delivery_address={"address1": STREET, "name": f"{FIRST} {LAST}"},
            proof_of_purchase=f"receipt for {EMAIL}",
            photos=["photo-of-zebulon.jpg"],
        )
    )
    db.session.add(
        WarrantyClaim(
            shop_id=shop.id,
            member_id=member.id,
            device_id=device.id,
            outcome="repair",
            return_shipping_paid_by="store",
            description=words,
        )
    )
    program = CtrlFProgram(
        shop_id=shop.id,
        title="CTRL F",
        product_title="KVM",
        applications_close_on=date.today(),
        feedback_due_on=date.today() + timedelta(days=30),
    )
    db.session.add(program)
    db.session.flush()
    db.session.add(
        CtrlFApplication(
            shop_id=shop.id,
            program_id=program.id,
            member_id=member.id,
            customer_id=str(customer["id"]),
            setup=words,
            devices=words,
        )
    )
    db.session.commit()
    return {"customer": customer, "order": order, "fulfilled": fulfilled, "member_id": member.id}


def personal_data_left() -> list[tuple[str, str, str]]:
    """(table, column, value) for every text column of every table still holding any of it."""
    db.session.expire_all()
    found = []
    for table in db.metadata.sorted_tables:
        columns = [
            c
            for c in table.c
            if isinstance(c.type, String | Text) or c.type.__class__.__name__ == "JSON"
        ]
        for row in db.session.execute(select(*columns)).all() if columns else []:
            for column, value in zip(columns, row, strict=True):
                stored = str(value)
                for needle in PERSONAL:
                    if needle.casefold() in stored.casefold():
                        found.append((table.name, column.name, needle))
    return found


def redact(deliver, customer: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    body = payloads.compliance_customer(SHOP_DOMAINS["us"], customer["id"], EMAIL)
    body["customer"]["phone"] = PHONE
    assert deliver("customers/redact", body).get_json()["status"] == "accepted"


def test_customer_redaction_leaves_no_personal_data_in_any_table(zebulon, deliver) -> None:  # type: ignore[no-untyped-def]
    assert personal_data_left()  # the fixture really spread it
    redact(deliver, zebulon["customer"])
    assert personal_data_left() == []
    assert count(WebhookEvent) >= 4  # the deliveries are still recognised as duplicates


def test_customer_redaction_leaves_no_byte_in_the_sqlite_file(zebulon, deliver) -> None:  # type: ignore[no-untyped-def]
    engine = db.engine
    if engine.dialect.name != "sqlite":
        pytest.skip("the database file is SQLite's")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    redact(deliver, zebulon["customer"])
    db.session.remove()
    path = Path(engine.url.database)
    for file in (path, path.with_name(path.name + "-wal")):
        if file.exists():
            data = file.read_bytes()
            for needle in PERSONAL:
                assert needle.encode() not in data, (file.name, needle)
                assert needle.casefold().encode() not in data, (file.name, needle)


def test_a_late_redelivery_does_not_bring_the_person_back(zebulon, deliver) -> None:  # type: ignore[no-untyped-def]
    redact(deliver, zebulon["customer"])
    assert deliver("orders/fulfilled", zebulon["fulfilled"]).get_json()["status"] == "accepted"
    assert deliver("orders/paid", zebulon["order"]).get_json()["status"] == "accepted"
    assert (
        deliver(
            "customers/update", {**zebulon["customer"], "updated_at": "2027-01-01T00:00:00Z"}
        ).status_code
        == 200
    )
    assert personal_data_left() == []
    order = db.session.execute(select(Order)).scalar_one()
    assert order.delivery_address is None


def test_the_data_request_export_lists_the_stored_bodies(zebulon, deliver) -> None:  # type: ignore[no-untyped-def]
    body = payloads.compliance_customer(SHOP_DOMAINS["us"], zebulon["customer"]["id"], EMAIL)
    assert deliver("customers/data_request", body).get_json()["status"] == "accepted"
    record = db.session.execute(select(DataRequest)).scalar_one().record
    topics = {d["topic"] for d in record["webhook_deliveries"]}
    assert {"customers/create", "orders/paid", "orders/fulfilled"} <= topics
    assert record["ctrl_f_applications"] and record["returns"] and record["warranty_claims"]


def test_shop_redaction_removes_members_left_with_no_store(shops, deliver) -> None:  # type: ignore[no-untyped-def]
    deliver("customers/create", payloads.customer(email="only-us@example.com"))
    deliver("customers/create", payloads.customer(email="both@example.com"))
    deliver("customers/create", payloads.customer(email="both@example.com"), shop="eu")
    assert deliver("app/uninstalled", payloads.shop(SHOP_DOMAINS["us"])).status_code == 200
    assert (
        deliver("shop/redact", payloads.shop_redact(SHOP_DOMAINS["us"])).get_json()["status"]
        == "accepted"
    )
    emails = set(db.session.execute(select(Member.email)).scalars())
    assert emails == {"both@example.com"}
    assert count(ShopCustomer) == 1


def test_webhook_bodies_are_purged_after_the_retention_period(shops, deliver, app) -> None:  # type: ignore[no-untyped-def]
    from plugin.jobs import sweep

    deliver("customers/create", payloads.customer(email="old@example.com"), webhook_id="old-one")
    deliver("customers/create", payloads.customer(email="new@example.com"), webhook_id="new-one")
    db.session.execute(
        text("UPDATE webhook_events SET received_at = :at WHERE webhook_id = 'old-one'"),
        {"at": utcnow() - timedelta(days=8)},
    )
    db.session.commit()
    sweep()
    db.session.expire_all()
    bodies = dict(db.session.execute(select(WebhookEvent.webhook_id, WebhookEvent.body)).all())
    assert bodies["old-one"] == ""
    assert "new@example.com" in bodies["new-one"]
    # The row stays: Shopify retrying that delivery is still a duplicate.
    assert (
        deliver(
            "customers/create", payloads.customer(email="old@example.com"), webhook_id="old-one"
        ).get_json()["status"]
        == "duplicate"
    )


def test_the_retention_period_is_a_setting(database_url) -> None:  # type: ignore[no-untyped-def]
    from plugin import create_app
    from plugin.settings import SettingsError
    from tests.conftest import base_config

    assert (
        create_app({**base_config(database_url), "WEBHOOK_BODY_RETENTION_DAYS": "3"}).config[
            "WEBHOOK_BODY_RETENTION_DAYS"
        ]
        == 3
    )
    with pytest.raises(SettingsError):
        create_app({**base_config(database_url), "WEBHOOK_BODY_RETENTION_DAYS": "forever"})
