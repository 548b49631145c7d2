"""Signed bodies carry unsigned headers (issue 15, invariant 8).

Shopify's HMAC covers the body only, and every store of the app shares one client secret: a body
Shopify signed for tesmart.com verifies under any topic and any shop's domain. Each test posts a
genuinely signed body under headers it does not fit, and checks that nothing happened.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import select

from plugin.extensions import db
from plugin.models import Member, Order, PointEntry, Shop, ShopCustomer, WebhookEvent
from tests import payloads, signing
from tests.conftest import SHOP_DOMAINS
from tests.security.conftest import count


@pytest.fixture()
def german_store(shops, deliver) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """tesmart.de with a customer, a paid order and the points for it."""
    customer = payloads.customer(email="klaus@example.de", currency="EUR")
    order = payloads.order(
        customer_block=customer,
        currency="EUR",
        country="DE",
        lines=[payloads.line_item(None, "80.00", currency="EUR")],
    )
    assert deliver("orders/paid", order, shop="eu").get_json()["status"] == "accepted"
    eu = shops["eu"].id
    assert (
        count(Order, Order.shop_id == eu) == 1 and count(PointEntry, PointEntry.shop_id == eu) >= 1
    )
    return {"shop_id": eu, "customer": customer, "order": order}


def ignored(response: Any, reason: str) -> None:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"status": "ignored", "reason": reason}


def test_a_products_body_posted_as_shop_redact_for_another_store_deletes_nothing(
    german_store, deliver
) -> None:  # type: ignore[no-untyped-def]
    eu = german_store["shop_id"]
    before = (
        count(Order, Order.shop_id == eu),
        count(PointEntry, PointEntry.shop_id == eu),
        count(ShopCustomer, ShopCustomer.shop_id == eu),
    )
    events = count(WebhookEvent)
    ignored(
        deliver("shop/redact", payloads.product(title="TESmart KVM"), shop="eu"),
        "not_a_compliance_request",
    )
    assert (
        count(Order, Order.shop_id == eu),
        count(PointEntry, PointEntry.shop_id == eu),
        count(ShopCustomer, ShopCustomer.shop_id == eu),
    ) == before
    assert count(Shop, Shop.id == eu) == 1
    assert count(WebhookEvent) == events


def test_a_products_body_posted_as_app_uninstalled_keeps_the_shop_installed(shops, deliver) -> None:  # type: ignore[no-untyped-def]
    ignored(deliver("app/uninstalled", payloads.product()), "not_a_shop")
    db.session.expire_all()
    assert db.session.get(Shop, shops["us"].id).uninstalled_at is None


def test_app_uninstalled_with_another_shops_shop_body_is_not_believed(shops, deliver) -> None:  # type: ignore[no-untyped-def]
    ignored(
        deliver("app/uninstalled", payloads.shop(SHOP_DOMAINS["eu"]), shop="us"), "shop_mismatch"
    )
    db.session.expire_all()
    assert db.session.get(Shop, shops["us"].id).uninstalled_at is None
    assert db.session.get(Shop, shops["eu"].id).uninstalled_at is None


def test_app_uninstalled_with_its_own_shop_body_uninstalls(shops, deliver) -> None:  # type: ignore[no-untyped-def]
    body = payloads.shop(SHOP_DOMAINS["us"], primary_domain="tesmart.com")
    assert deliver("app/uninstalled", body).get_json()["status"] == "accepted"
    db.session.expire_all()
    assert db.session.get(Shop, shops["us"].id).uninstalled_at is not None


def test_an_orders_body_posted_as_customers_redact_erases_nobody(
    shops, german_store, deliver
) -> None:  # type: ignore[no-untyped-def]
    ignored(
        deliver("customers/redact", german_store["order"], shop="eu"), "not_a_compliance_request"
    )
    member = db.session.execute(
        select(Member).where(Member.email_normalized == "klaus@example.de")
    ).scalar_one()
    assert member.redacted_at is None
    customer = db.session.execute(
        select(ShopCustomer).where(ShopCustomer.shop_id == german_store["shop_id"])
    ).scalar_one()
    assert customer.email == "klaus@example.de"


def test_an_orders_paid_body_relabelled_as_a_cancellation_takes_no_points_back(
    german_store, deliver
) -> None:  # type: ignore[no-untyped-def]
    eu = german_store["shop_id"]
    entries = count(PointEntry, PointEntry.shop_id == eu)
    ignored(deliver("orders/cancelled", german_store["order"], shop="eu"), "missing_cancelled_at")
    assert count(PointEntry, PointEntry.shop_id == eu) == entries
    order = db.session.execute(select(Order).where(Order.shop_id == eu)).scalar_one()
    assert order.cancelled_at is None


def test_a_real_cancellation_still_takes_the_points_back(german_store, deliver) -> None:  # type: ignore[no-untyped-def]
    cancelled = {**german_store["order"], "cancelled_at": "2026-11-21T09:00:00+01:00"}
    assert deliver("orders/cancelled", cancelled, shop="eu").get_json()["status"] == "accepted"
    db.session.expire_all()
    order = db.session.execute(
        select(Order).where(Order.shop_id == german_store["shop_id"])
    ).scalar_one()
    assert order.cancelled_at is not None


@pytest.mark.parametrize("topic", ["customers/redact", "customers/data_request", "shop/redact"])
def test_a_compliance_request_naming_another_shop_is_refused(german_store, deliver, topic) -> None:  # type: ignore[no-untyped-def]
    """A genuine tesmart.com compliance body, re-posted under tesmart.de's domain."""
    customer_id = german_store["customer"]["id"]
    body = (
        payloads.shop_redact(SHOP_DOMAINS["us"])
        if topic == "shop/redact"
        else payloads.compliance_customer(SHOP_DOMAINS["us"], customer_id, "klaus@example.de")
    )
    events = count(WebhookEvent)
    ignored(deliver(topic, body, shop="eu"), "shop_mismatch")
    assert count(WebhookEvent) == events
    assert db.session.execute(select(Member.redacted_at)).scalar_one() is None


def test_shop_redact_for_a_store_that_is_still_installed_is_refused(german_store, deliver) -> None:  # type: ignore[no-untyped-def]
    eu = german_store["shop_id"]
    ignored(
        deliver("shop/redact", payloads.shop_redact(SHOP_DOMAINS["eu"]), shop="eu"),
        "shop_still_installed",
    )
    assert count(Shop, Shop.id == eu) == 1 and count(Order, Order.shop_id == eu) == 1


@pytest.mark.parametrize(
    ("topic", "body", "reason"),
    [
        ("customers/update", lambda order: order, "not_a_customer"),
        ("products/update", lambda order: order, "not_a_product"),
        ("refunds/create", lambda order: order, "invalid_id"),
        ("orders/paid", lambda order: payloads.customer(), "not_a_order"),
        ("customers_email_marketing_consent/update", lambda order: order, "invalid_id"),
        ("app/scopes_update", lambda order: order, "not_a_scopes_update"),
    ],
)
def test_every_topic_wants_its_own_shape(german_store, deliver, topic, body, reason) -> None:  # type: ignore[no-untyped-def]
    events, entries = count(WebhookEvent), count(PointEntry)
    ignored(deliver(topic, body(german_store["order"]), shop="eu"), reason)
    assert (count(WebhookEvent), count(PointEntry)) == (events, entries)


def test_a_refused_delivery_is_logged_with_its_reason(german_store, deliver, caplog) -> None:  # type: ignore[no-untyped-def]
    with caplog.at_level(logging.WARNING, logger="webhooks.receiver"):
        deliver("shop/redact", payloads.product(), shop="eu", webhook_id="forged-redact-1")
    [record] = [r for r in caplog.records if "forged-redact-1" in r.getMessage()]
    assert (
        "not_a_compliance_request" in record.getMessage() and "shop/redact" in record.getMessage()
    )


# --- issue 14: the receiver ------------------------------------------------------------------


@pytest.mark.parametrize("topic", ["customers/data_request", "customers/redact", "shop/redact"])
def test_compliance_for_a_shop_the_app_never_saw_is_answered_200(shops, deliver, topic) -> None:  # type: ignore[no-untyped-def]
    domain = "never-installed.myshopify.com"
    body = (
        payloads.shop_redact(domain)
        if topic == "shop/redact"
        else payloads.compliance_customer(domain, 1, "a@b.co")
    )
    ignored(deliver(topic, body, shop=domain), "unknown_shop")
    assert count(WebhookEvent) == 0


def test_compliance_for_a_shop_already_erased_is_answered_200(shops, deliver) -> None:  # type: ignore[no-untyped-def]
    assert deliver("app/uninstalled", payloads.shop(SHOP_DOMAINS["us"])).status_code == 200
    assert (
        deliver("shop/redact", payloads.shop_redact(SHOP_DOMAINS["us"])).get_json()["status"]
        == "accepted"
    )
    assert count(Shop, Shop.domain == SHOP_DOMAINS["us"]) == 0
    from webhooks.receiver import forget_shop

    forget_shop(SHOP_DOMAINS["us"])
    again = deliver("shop/redact", payloads.shop_redact(SHOP_DOMAINS["us"]))
    ignored(again, "unknown_shop")
    late = deliver(
        "customers/redact", payloads.compliance_customer(SHOP_DOMAINS["us"], 5, "a@b.co")
    )
    ignored(late, "unknown_shop")


def test_compliance_with_a_bad_signature_for_an_unknown_shop_is_still_401(shops, deliver) -> None:  # type: ignore[no-untyped-def]
    domain = "never-installed.myshopify.com"
    response = deliver("shop/redact", payloads.shop_redact(domain), shop=domain, secret="forged")
    assert response.status_code == 401


def test_lower_case_shopify_header_names_are_accepted(shops, client) -> None:  # type: ignore[no-untyped-def]
    """Newer deliveries name the headers `shopify-*` (no X-); shopifyapp's verifier reads both."""
    body = signing.webhook_body(payloads.customer(email="lower@example.com"))
    headers = {
        (name.lower().removeprefix("x-") if name.startswith("X-Shopify") else name): value
        for name, value in signing.webhook_headers(
            "customers/create", body, SHOP_DOMAINS["us"]
        ).items()
    }
    assert "shopify-topic" in headers and "x-shopify-topic" not in headers
    response = client.post("/webhooks/customers/create", data=body, headers=headers)
    assert response.get_json() == {"status": "accepted"}
    assert db.session.execute(select(Member.email)).scalar_one() == "lower@example.com"
