"""The verifiers' log records (plugin/shopify_app.py): no request body in them, a query's
credentials masked, and a plain path kept as it was."""

from __future__ import annotations

from typing import Any

from shopify_app.verify import _body_hmac_in_header, app_proxy


def test_an_app_proxy_record_masks_the_signature_and_carries_no_body(app: Any) -> None:
    record = app_proxy.redact_http_log(
        {
            "method": "GET",
            "headers": {},
            "url": "/?shop=a.myshopify.com&signature=abc123&timestamp=1",
            "body": '{"access_token": "secret"}',
        }
    )
    assert "abc123" not in record["url"] and "shop=a.myshopify.com" in record["url"]
    assert "secret" not in str(record)


def test_a_webhook_record_keeps_its_path_and_masks_the_hmac_header(app: Any) -> None:
    record = _body_hmac_in_header.redact_http_log(
        {
            "method": "POST",
            "headers": {"X-Shopify-Hmac-Sha256": "c2lnbmVk", "X-Shopify-Shop-Domain": "a"},
            "url": "/webhooks/orders/paid",
            "body": '{"id": 1, "email": "ann@example.com"}',
        }
    )
    assert record["url"] == "/webhooks/orders/paid"
    assert record["headers"]["X-Shopify-Hmac-Sha256"] != "c2lnbmVk"
    assert record["headers"]["X-Shopify-Shop-Domain"] == "a"
    assert "ann@example.com" not in str(record)
