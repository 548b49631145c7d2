"""Schemathesis against openapi.yaml for the storefront API: no 5xx, and every response (status,
content type, body) as the contract documents it (invariant 6).

Requests are generated from the schema, then signed like Shopify's app proxy for a seeded shop and
member (the signature covers the query, so generated query values are replaced by a signed set);
path ids, bodies and the rest are the generator's. Examples per operation are bounded so the whole
file runs well under a minute.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from tests import payloads, signing
from tests.conftest import SHOP_DOMAINS
from tests.resilience.conftest import FULL

pytestmark = pytest.mark.resilience

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

SPEC = Path(__file__).resolve().parents[2] / "openapi.yaml"
CUSTOMER_ID = 8_700_000_001
EXAMPLES = 50 if FULL else 8
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@functools.cache
def _operations() -> list[Any]:
    """openapi.yaml's operations, read once (half a second of CPU a read, at collection)."""
    schema = schemathesis.openapi.from_path(str(SPEC))
    return [result.ok() for result in schema.get_all_operations()]


def operations(prefix: str = "/proxy") -> list[Any]:
    if not SPEC.exists():
        return []
    found = []
    for operation in _operations():
        if operation is not None and operation.path.startswith(prefix):
            found.append(pytest.param(operation, id=f"{operation.method.upper()} {operation.path}"))
    return found


def storefront_operations() -> list[Any]:
    return operations("/proxy")


def signed_query(customer_id: int | None) -> dict[str, str]:
    params = {
        "shop": SHOP_DOMAINS["us"],
        "logged_in_customer_id": str(customer_id) if customer_id else "",
        "path_prefix": "/apps/tesmart",
        "timestamp": str(int(time.time())),
    }
    message = "".join(f"{k}={v}" for k, v in sorted(params.items()))
    params["signature"] = hmac.new(
        signing.API_SECRET.encode(), message.encode(), hashlib.sha256
    ).hexdigest()
    return params


@pytest.fixture()
def seeded_member(shops, deliver) -> int:  # type: ignore[no-untyped-def]
    """An activated member of the US shop with points, a KVM switch (a device) and an order."""
    from plugin import ledger
    from plugin.accounts import activate, member_for_customer
    from plugin.extensions import db
    from plugin.models.types import utcnow

    kvm = payloads.product(product_type="KVM Switch")
    assert deliver("products/create", kvm).status_code == 200
    customer = payloads.customer(CUSTOMER_ID, "schema@example.com")
    order = payloads.order(
        customer_block=customer,
        lines=[payloads.line_item(kvm["id"], "149.00")],
        created_at="2025-06-01T10:00:00-05:00",
    )
    assert deliver("orders/paid", order).status_code == 200
    shop = shops["us"]
    member = member_for_customer(shop, str(CUSTOMER_ID))
    assert member is not None
    activate(member, utcnow(), "test")
    ledger.post_entry(
        shop_id=shop.id,
        member_id=member.id,
        delta=5_000,
        kind="adjustment",
        cause_key="test:schema",
    )
    db.session.commit()
    return CUSTOMER_ID


@pytest.mark.skipif(not SPEC.exists(), reason="openapi.yaml does not exist yet")
@pytest.mark.parametrize("operation", storefront_operations())
def test_storefront_operation_answers_as_documented(app, seeded_member, operation) -> None:  # type: ignore[no-untyped-def]
    from plugin.storefront import rate_limit

    rate_limit._counts.clear()  # each operation gets its own write budget

    @settings(
        max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(case=operation.as_strategy())
    def check(case: Any) -> None:
        # Mostly the seeded member, sometimes an anonymous visitor or a stranger.
        customer = {0: seeded_member, 1: seeded_member, 2: None, 3: CUSTOMER_ID + 1}[
            hash(repr(case.body)) % 4
        ]
        case.query = signed_query(customer)
        response = case.call(app=app)
        case.validate_response(response, checks=CHECKS)

    check()


@pytest.mark.skipif(not SPEC.exists(), reason="openapi.yaml does not exist yet")
@pytest.mark.parametrize("operation", operations("/extension-api"))
def test_extension_operation_answers_as_documented(app, seeded_member, operation) -> None:  # type: ignore[no-untyped-def]
    """The checkout and customer-account API with a valid session token (a customer's, sometimes
    nobody's): generated bodies and paths, no 5xx, every answer as documented."""

    @settings(
        max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(case=operation.as_strategy())
    def check(case: Any) -> None:
        sub = f"gid://shopify/Customer/{seeded_member}" if hash(repr(case.body)) % 2 else ""
        token = signing.session_token(SHOP_DOMAINS["us"], sub=sub)
        case.headers = {
            **(case.headers or {}),
            "Authorization": f"Bearer {token}",
            "Origin": "https://extensions.shopifycdn.com",
        }
        response = case.call(app=app)
        case.validate_response(response, checks=CHECKS)

    check()


@pytest.mark.skipif(not SPEC.exists(), reason="openapi.yaml does not exist yet")
@pytest.mark.parametrize("operation", operations("/webhooks"))
def test_webhook_operation_answers_as_documented(app, shops, operation) -> None:  # type: ignore[no-untyped-def]
    """Generated topics and bodies, signed like Shopify (the HMAC of the generated body) with
    the header topic matching the path: no 5xx, every answer as documented."""
    import base64
    import json as jsonlib

    @settings(
        max_examples=EXAMPLES * 2,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def check(case: Any) -> None:
        body = jsonlib.dumps(case.body).encode() if case.body is not None else b"{}"
        digest = base64.b64encode(
            hmac.new(signing.API_SECRET.encode(), body, hashlib.sha256).digest()
        ).decode()
        topic = str((case.path_parameters or {}).get("topic", "orders/paid"))
        case.headers = {
            **(case.headers or {}),
            "X-Shopify-Hmac-Sha256": digest,
            "X-Shopify-Topic": topic,
            "X-Shopify-Shop-Domain": SHOP_DOMAINS["us"],
            "Content-Type": "application/json",
        }
        case.body = jsonlib.loads(body)
        response = case.call(app=app)
        case.validate_response(response, checks=CHECKS)

    check()
