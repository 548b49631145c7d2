"""What the request path writes into log records, and what it does not spend on them (issue 20)."""

from __future__ import annotations

import io
import logging
from typing import Any

import pytest
from shopify_app.utils import redact

from plugin.log_masking import QueryStringMask
from plugin.shopify_app import shopify
from tests import payloads, signing
from tests.conftest import SHOP_DOMAINS


class _NoParsing:
    """Stands in for the json module inside shopifyapp's redaction: any parse fails the test."""

    @staticmethod
    def loads(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("the log record's redaction parsed the body")

    dumps = loads
    JSONDecodeError = ValueError


def _request(body: bytes, digest_from: bytes) -> dict[str, Any]:
    headers = signing.webhook_headers("orders/paid", digest_from, SHOP_DOMAINS["us"])
    return {
        "method": "POST",
        "headers": {
            "X-Shopify-Hmac-Sha256": headers["X-Shopify-Hmac-Sha256"],
            "X-Shopify-Shop-Domain": SHOP_DOMAINS["us"],
        },
        "url": "/webhooks/orders/paid",
        "body": body.decode(),
    }


def test_the_webhook_verifier_checks_the_body_but_its_log_record_carries_none(
    app, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(redact, "json", _NoParsing)
    body = signing.webhook_body(payloads.order(customer_block=payloads.customer(email="a@b.co")))
    verified = shopify().verify_webhook_req(_request(body, body))
    assert verified.ok
    assert "body" not in verified.log.req
    assert verified.log.req["headers"]["X-Shopify-Hmac-Sha256"] == "[REDACTED]"
    # The HMAC is still computed over the body it was given: one changed byte is refused.
    tampered = body.replace(b'"a@b.co"', b'"x@b.co"')
    refused = shopify().verify_webhook_req(_request(tampered, body))
    assert not refused.ok and refused.log.code == "invalid_hmac"
    assert "body" not in refused.log.req


@pytest.mark.parametrize("body", ["[" * 100_000, '{"id": ' + "9" * 5_000 + "}"])
def test_an_unsigned_body_the_parser_chokes_on_is_a_401_not_a_500(shops, client, body) -> None:  # type: ignore[no-untyped-def]
    raw = body.encode()
    headers = signing.webhook_headers("orders/paid", raw, SHOP_DOMAINS["us"], secret="forged")
    response = client.post("/webhooks/orders/paid", data=raw, headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_hmac"


def test_an_access_line_is_masked_and_formatted_once() -> None:
    """gunicorn's access record (its format and a dict of atoms): the filter leaves the finished
    line in the record, masked, so the handler does not format it again."""
    record = logging.LogRecord(
        "gunicorn.access",
        logging.INFO,
        __file__,
        1,
        '%(h)s "%(m)s %(r)s" %(s)s',
        ({"h": "127.0.0.1", "m": "GET", "r": "/proxy/member?signature=abc123&x=1", "s": "200"},),
        None,
    )
    assert QueryStringMask().filter(record)
    assert record.args == ()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.emit(record)
    assert stream.getvalue() == '127.0.0.1 "GET /proxy/member?signature=[masked]&x=1" 200\n'
