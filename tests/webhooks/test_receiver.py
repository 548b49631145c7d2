"""POST /webhooks/<topic>: verify, record once, acknowledge; bad input refused, nothing written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from plugin.extensions import db
from plugin.models import PointEntry, WebhookEvent
from tests import payloads, signing


def count(model) -> int:  # type: ignore[no-untyped-def]
    db.session.expire_all()
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_signed_delivery_is_recorded_and_processed(shops, deliver) -> None:  # type: ignore[no-untyped-def]
    response = deliver("customers/create", payloads.customer(email="ann@example.com"))
    assert response.status_code == 200
    assert response.get_json() == {"status": "accepted"}
    event = db.session.execute(select(WebhookEvent)).scalar_one()
    assert event.topic == "customers/create"
    assert event.state == "processed"


def test_duplicate_delivery_is_acknowledged_and_dropped(shops, deliver) -> None:  # type: ignore[no-untyped-def]
    payload = payloads.customer(email="ann@example.com")
    first = deliver("customers/create", payload, webhook_id="dup-1")
    second = deliver("customers/create", payload, webhook_id="dup-1")
    assert first.get_json()["status"] == "accepted"
    assert second.status_code == 200 and second.get_json()["status"] == "duplicate"
    assert count(WebhookEvent) == 1
    assert count(PointEntry) == 1  # the sign-up points, once


def test_forged_hmac_is_refused_with_401_and_nothing_written(shops, deliver) -> None:  # type: ignore[no-untyped-def]
    response = deliver("customers/create", payloads.customer(), secret="not-the-secret")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_hmac"
    assert count(WebhookEvent) == 0


# A second app (the rotated secret) reads the shop through connections of its own.
@pytest.mark.commits
def test_old_secret_is_accepted_during_rotation(database_url, shops) -> None:  # type: ignore[no-untyped-def]
    from plugin import create_app
    from tests.conftest import base_config

    app = create_app(
        {
            **base_config(database_url),
            "SHOPIFY_API_SECRET": "new-secret",
            "SHOPIFY_OLD_API_SECRET": signing.API_SECRET,
        }
    )
    body = signing.webhook_body(payloads.customer())
    headers = signing.webhook_headers("customers/create", body, "tesmart-us.myshopify.com")
    response = app.test_client().post("/webhooks/customers/create", data=body, headers=headers)
    assert response.status_code == 200


def test_compliance_topic_with_bad_signature_gets_401(shops, deliver) -> None:  # type: ignore[no-untyped-def]
    response = deliver(
        "shop/redact", payloads.shop_redact("tesmart-us.myshopify.com"), secret="forged"
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("topic_path", "header_topic", "status", "code"),
    [
        ("orders/created", "orders/created", 404, "unknown_topic"),
        ("orders/paid", "orders/cancelled", 400, "topic_mismatch"),
    ],
)
def test_wrong_topic_is_refused(shops, client, topic_path, header_topic, status, code) -> None:  # type: ignore[no-untyped-def]
    body = signing.webhook_body(payloads.order())
    headers = signing.webhook_headers(header_topic, body, "tesmart-us.myshopify.com")
    response = client.post(f"/webhooks/{topic_path}", data=body, headers=headers)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    assert count(WebhookEvent) == 0


@pytest.mark.parametrize("body", [b"not json", b"[1, 2, 3]", b'"text"'])
def test_body_that_is_not_a_json_object_is_refused(shops, client, body) -> None:  # type: ignore[no-untyped-def]
    headers = signing.webhook_headers("orders/paid", body, "tesmart-us.myshopify.com")
    response = client.post("/webhooks/orders/paid", data=body, headers=headers)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_json"
    assert count(WebhookEvent) == 0


def test_huge_body_is_refused_with_413(shops, client) -> None:  # type: ignore[no-untyped-def]
    body = b'{"pad": "' + b"x" * 1_200_000 + b'"}'
    headers = signing.webhook_headers("orders/paid", body, "tesmart-us.myshopify.com")
    response = client.post("/webhooks/orders/paid", data=body, headers=headers)
    assert response.status_code == 413
    assert response.is_json
    assert count(WebhookEvent) == 0


def test_unknown_shop_is_refused(shops, deliver) -> None:  # type: ignore[no-untyped-def]
    response = deliver("orders/paid", payloads.order(), shop="someone-else.myshopify.com")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "unknown_shop"
    assert count(WebhookEvent) == 0


def test_missing_webhook_id_is_refused(shops, client) -> None:  # type: ignore[no-untyped-def]
    body = signing.webhook_body(payloads.order())
    headers = signing.webhook_headers("orders/paid", body, "tesmart-us.myshopify.com")
    headers["X-Shopify-Webhook-Id"] = ""
    response = client.post("/webhooks/orders/paid", data=body, headers=headers)
    assert response.status_code == 400
    assert count(WebhookEvent) == 0


def test_uninstalled_shop_gets_no_more_deliveries_but_compliance_is_accepted(
    shops, deliver
) -> None:  # type: ignore[no-untyped-def]
    assert (
        deliver(
            "app/uninstalled",
            payloads.shop("tesmart-us.myshopify.com", primary_domain="tesmart.com"),
        ).status_code
        == 200
    )
    db.session.expire_all()
    assert shops["us"].uninstalled_at is not None
    assert shops["us"].access_token_enc is None
    assert deliver("orders/paid", payloads.order()).status_code == 404
    redact = deliver(
        "customers/redact", payloads.compliance_customer("tesmart-us.myshopify.com", 1, "a@b.co")
    )
    assert redact.status_code == 200


def test_get_is_not_allowed(shops, client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/webhooks/orders/paid")
    assert response.status_code == 405
    assert response.is_json
