"""Hypothesis over every surface that takes input from outside: no 5xx, ever (issue 15).

Webhook bodies (validly signed, under every topic), app-proxy bodies (validly signed, every POST
route), extension bodies (a valid session token) and admin forms (a valid session token). The
normal suite runs a few dozen examples per surface; the long run (at least 2,000 per surface) is

    SECURITY_FUZZ_EXAMPLES=2000 .venv/bin/pytest -p no:xdist tests/security/test_fuzz_surfaces.py
"""

from __future__ import annotations

import json
import os
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plugin.models.types import utcnow
from tests import payloads, signing
from tests.conftest import SHOP_DOMAINS
from webhooks.topics import TOPICS

EXAMPLES = int(os.environ.get("SECURITY_FUZZ_EXAMPLES", "15"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            "1e999999",
            "NaN",
            "Infinity",
            "\u0000",
            "9" * 40,
            "x;=1+1",
            "gid://shopify/Order/1",
            "2026-13-45T99:99:99Z",
            "../../etc/passwd",
        ]
    ),
)
_json = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=15,
)
_KEYS = [
    "id",
    "reward_id",
    "device_id",
    "order_id",
    "reason",
    "kind",
    "survey_id",
    "serial",
    "condition",
    "photos",
    "delivery_address",
    "description",
    "tracking_number",
    "carrier",
    "lines",
    "subtotal",
    "currency",
    "amount",
    "quantity",
    "product_id",
    "customer",
    "line_items",
    "shop_domain",
    "email",
]
_bodies = st.one_of(
    st.dictionaries(st.sampled_from(_KEYS), _json, max_size=8),
    _json,
    st.sampled_from(
        [
            "[" * 5000,
            '{"a":' * 3000 + "1" + "}" * 3000,
            '{"x": NaN}',
            '{"id": ' + "9" * 5000 + "}",
            '{"s": "\\ud800"}',
            "\xff\xfe",
            "not json",
        ]
    ),
)


def raw(body: Any) -> bytes:
    if isinstance(body, str):
        return body.encode("utf-8", "surrogatepass")
    return json.dumps(body).encode()


def no_5xx(response: Any) -> None:
    assert response.status_code < 500, (response.status_code, response.get_data(as_text=True)[:300])


@pytest.fixture()
def customer(shops, deliver) -> int:  # type: ignore[no-untyped-def]
    from plugin import ledger
    from plugin.accounts import activate, member_for_customer
    from plugin.extensions import db

    kvm = payloads.product(product_type="KVM Switch")
    deliver("products/create", kvm)
    person = payloads.customer(email="fuzz@example.com")
    deliver(
        "orders/paid",
        payloads.order(customer_block=person, lines=[payloads.line_item(kvm["id"], "149.00")]),
    )
    member = member_for_customer(shops["us"], str(person["id"]))
    activate(member, utcnow(), "test")
    ledger.post_entry(
        shop_id=shops["us"].id,
        member_id=member.id,
        delta=50_000,
        kind="adjustment",
        cause_key="fuzz",
    )
    db.session.commit()
    return int(person["id"])


@FUZZ
@given(topic=st.sampled_from(sorted(TOPICS)), body=_bodies, signed=st.booleans())
def test_webhook_bodies(shops, client, topic, body, signed) -> None:  # type: ignore[no-untyped-def]
    data = raw(body)
    headers = signing.webhook_headers(
        topic, data if signed else b"other", SHOP_DOMAINS["us"], webhook_id=str(uuid.uuid4())
    )
    no_5xx(client.post(f"/webhooks/{topic}", data=data, headers=headers))


PROXY_POSTS = [
    "/activities",
    "/returns/check",
    "/returns",
    "/redemptions",
    "/trade-in/quote",
    "/trade-ins",
    "/warranty-claims",
    "/devices/1/serial",
    "/trade-ins/1/tracking",
    "/campaigns/1/code",
    "/ctrl-f/1/applications",
]


@FUZZ
@given(path=st.sampled_from(PROXY_POSTS), body=_bodies, anonymous=st.booleans())
def test_proxy_bodies(app, customer, client, path, body, anonymous) -> None:  # type: ignore[no-untyped-def]
    from plugin.storefront import rate_limit

    rate_limit._counts.clear()
    query = signing.proxy_query(SHOP_DOMAINS["us"], None if anonymous else str(customer))
    no_5xx(client.post(f"/proxy{path}?{query}", data=raw(body), content_type="application/json"))


@FUZZ
@given(
    path=st.sampled_from(["/extension-api/checkout", "/extension-api/devices"]),
    body=_bodies,
    sub=st.sampled_from(
        ["", "gid://shopify/Customer/1", "gid://shopify/Customer/" + "9" * 30, "x"]
    ),
    with_token=st.booleans(),
)
def test_extension_bodies(shops, client, path, body, sub, with_token) -> None:  # type: ignore[no-untyped-def]
    headers = {"Origin": "https://extensions.shopifycdn.com"}
    if with_token:
        headers["Authorization"] = f"Bearer {signing.session_token(SHOP_DOMAINS['us'], sub=sub)}"
    no_5xx(client.post(path, data=raw(body), content_type="application/json", headers=headers))


_form_value = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        ["1e30", "1e999999", "NaN", "-1", "0", "9" * 40, "Infinity", "1,5", "=1+1", ""]
    ),
)
ADMIN_FORMS = {
    "/admin/rewards": ["points", "kind", "amount", "percentage", "title", "position"],
    "/admin/rewards/1": ["action", "points", "kind", "amount", "percentage"],
}


@FUZZ
@given(path=st.sampled_from(sorted(ADMIN_FORMS)), data=st.data())
def test_admin_forms(shops, client, path, data) -> None:  # type: ignore[no-untyped-def]
    fields = data.draw(st.dictionaries(st.sampled_from(ADMIN_FORMS[path]), _form_value, max_size=6))
    fields["id_token"] = signing.session_token(SHOP_DOMAINS["us"], sub="42")
    no_5xx(client.post(path, data=fields))
