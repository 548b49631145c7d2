"""No 5xx from the webhook receiver, signed or not (issue 15): authentication comes before any
parsing of the body, and compliance topics with a bad signature always get 401."""

from __future__ import annotations

import pytest

from plugin.models import WebhookEvent
from tests import signing
from tests.conftest import SHOP_DOMAINS
from tests.security.conftest import count
from webhooks.topics import COMPLIANCE_TOPICS, TOPICS

HOSTILE_BODIES = {
    "deep_brackets": b"[" * 100_000,
    "deep_objects": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    "huge_integer": b'{"id": ' + b"9" * 5_000 + b"}",
    "lone_surrogate": b'{"id": "\\ud800"}',
    "not_utf8": b'{"id": "\xff\xfe"}',
    "nan": b'{"id": NaN, "total_price": Infinity}',
}


@pytest.mark.parametrize("kind", sorted(HOSTILE_BODIES))
@pytest.mark.parametrize("topic", sorted(TOPICS))
def test_unsigned_hostile_bodies_get_401_on_every_route(shops, client, topic, kind) -> None:  # type: ignore[no-untyped-def]
    body = HOSTILE_BODIES[kind]
    headers = signing.webhook_headers(topic, b"another body", SHOP_DOMAINS["us"])
    response = client.post(f"/webhooks/{topic}", data=body, headers=headers)
    if topic in COMPLIANCE_TOPICS or kind != "not_utf8":
        assert response.status_code == 401, (
            response.status_code,
            response.get_data(as_text=True)[:200],
        )
    else:
        assert response.status_code == 400
    assert response.is_json
    assert count(WebhookEvent) == 0


@pytest.mark.parametrize("kind", sorted(HOSTILE_BODIES))
def test_signed_hostile_bodies_are_a_clear_4xx(shops, client, kind) -> None:  # type: ignore[no-untyped-def]
    body = HOSTILE_BODIES[kind]
    headers = signing.webhook_headers("orders/paid", body, SHOP_DOMAINS["us"])
    response = client.post("/webhooks/orders/paid", data=body, headers=headers)
    assert 400 <= response.status_code < 500 or response.get_json()["status"] == "ignored", (
        response.status_code
    )
    assert response.is_json
    assert count(WebhookEvent) == 0


@pytest.mark.parametrize("topic", sorted(COMPLIANCE_TOPICS))
@pytest.mark.parametrize(
    "wrong",
    [
        "oversized",
        "not_utf8",
        "no_topic_header",
        "topic_mismatch",
        "no_webhook_id",
        "unknown_shop",
        "not_json",
    ],
)
def test_compliance_topics_with_a_bad_signature_always_get_401(shops, client, topic, wrong) -> None:  # type: ignore[no-untyped-def]
    body = b'{"shop_id": 1, "shop_domain": "tesmart-us.myshopify.com"}'
    domain = SHOP_DOMAINS["us"]
    if wrong == "oversized":
        body = b'{"pad": "' + b"x" * 1_200_000 + b'"}'
    elif wrong == "not_utf8":
        body = b"\xff" * 10
    elif wrong == "not_json":
        body = b"[" * 10
    elif wrong == "unknown_shop":
        domain = "nobody.myshopify.com"
    headers = signing.webhook_headers(topic, body, domain, secret="forged")
    if wrong == "no_topic_header":
        del headers["X-Shopify-Topic"]
    elif wrong == "topic_mismatch":
        headers["X-Shopify-Topic"] = "orders/paid"
    elif wrong == "no_webhook_id":
        del headers["X-Shopify-Webhook-Id"]
    response = client.post(f"/webhooks/{topic}", data=body, headers=headers)
    assert response.status_code == 401
    assert count(WebhookEvent) == 0
