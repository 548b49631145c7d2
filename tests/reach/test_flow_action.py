"""The Flow action "Adjust TESmart points": signed as Shopify signs it, it adjusts once however
often it is delivered, lands in the ledger and the audit log like a manual adjustment; forged or
unsigned requests get 401 and change nothing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from plugin import ledger
from plugin.extensions import db
from plugin.models import AuditLog, PointEntry
from tests import signing
from tests.admin import factories

PATH = "/integrations/flow/adjust-points"


def flow_request(
    shop: Any,
    customer_id: str,
    *,
    points: Any = 150,
    run_id: str = "run-1",
    reason: str = "Review in another app",
) -> bytes:
    # The execution request Flow documents for an action's runtime URL.
    return json.dumps(
        {
            "shop_id": "1",
            "shopify_domain": shop.domain,
            "action_run_id": run_id,
            "action_definition_id": "Adjust TESmart points",
            "handle": "tesmart-adjust-points",
            "properties": {"customer_id": customer_id, "points": points, "reason": reason},
        }
    ).encode()


def shopify_hmac(body: bytes, secret: str = signing.API_SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


@pytest.fixture()
def member(shops: Any) -> Any:
    return factories.member(
        shops["us"], "flow@example.com", activated=datetime.now(UTC) - timedelta(days=10)
    )


def test_a_signed_run_delivered_twice_adjusts_once(client: Any, shops: Any, member: Any) -> None:
    us = shops["us"]
    body = flow_request(us, factories.customer_id_of(us, member))
    first = client.post(
        PATH,
        data=body,
        headers={"X-Shopify-Hmac-SHA256": shopify_hmac(body), "Content-Type": "application/json"},
    )
    again = client.post(
        PATH,
        data=body,
        headers={"x-shopify-hmac-sha256": shopify_hmac(body), "Content-Type": "application/json"},
    )
    assert (first.status_code, again.status_code) == (200, 200)
    assert first.get_json()["entry_id"] == again.get_json()["entry_id"]
    assert ledger.balance(us.id, member.id) == 150
    entries = (
        db.session.query(PointEntry)
        .filter_by(shop_id=us.id, member_id=member.id, kind="adjustment")
        .all()
    )
    assert [(e.delta, e.actor) for e in entries] == [(150, "shopify_flow")]
    assert "Review in another app" in entries[0].note
    audits = db.session.query(AuditLog).filter_by(shop_id=us.id, action="points.adjust").all()
    assert [(a.actor, a.after["delta"]) for a in audits] == [("shopify_flow", 150)]


def test_another_run_is_another_adjustment(client: Any, shops: Any, member: Any) -> None:
    us = shops["us"]
    for run in ("run-a", "run-b"):
        body = flow_request(
            us,
            f"gid://shopify/Customer/{factories.customer_id_of(us, member)}",
            run_id=run,
            points=-20,
        )
        assert (
            client.post(
                PATH, data=body, headers={"X-Shopify-Hmac-SHA256": shopify_hmac(body)}
            ).status_code
            == 200
        )
    assert ledger.balance(us.id, member.id) == -40


@pytest.mark.parametrize(
    "signature",
    [None, "", "bm90IGEgc2lnbmF0dXJl", "forged-by-secret"],
    ids=["missing", "empty", "garbage", "other-secret"],
)
def test_a_forged_request_gets_401_and_changes_nothing(
    client: Any, shops: Any, member: Any, signature: str | None
) -> None:
    us = shops["us"]
    body = flow_request(us, factories.customer_id_of(us, member))
    headers = {}
    if signature == "forged-by-secret":
        headers["X-Shopify-Hmac-SHA256"] = shopify_hmac(body, "not-the-client-secret")
    elif signature is not None:
        headers["X-Shopify-Hmac-SHA256"] = signature
    response = client.post(PATH, data=body, headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_signature"
    assert ledger.balance(us.id, member.id) == 0


def test_a_signature_of_another_body_is_refused(client: Any, shops: Any, member: Any) -> None:
    us = shops["us"]
    signed = flow_request(us, factories.customer_id_of(us, member), points=1)
    tampered = flow_request(us, factories.customer_id_of(us, member), points=100000)
    assert (
        client.post(
            PATH, data=tampered, headers={"X-Shopify-Hmac-SHA256": shopify_hmac(signed)}
        ).status_code
        == 401
    )
    assert ledger.balance(us.id, member.id) == 0


@pytest.mark.parametrize(
    ("points", "status"),
    [("many", 400), (True, 400), (0, 422), (1_000_001, 422)],
)
def test_bad_points_get_a_clear_4xx_and_write_nothing(
    client: Any, shops: Any, member: Any, points: Any, status: int
) -> None:
    us = shops["us"]
    body = flow_request(us, factories.customer_id_of(us, member), points=points)
    response = client.post(PATH, data=body, headers={"X-Shopify-Hmac-SHA256": shopify_hmac(body)})
    assert response.status_code == status and response.is_json
    assert db.session.query(PointEntry).filter_by(member_id=member.id).count() == 0


def test_an_unknown_customer_gets_404(client: Any, shops: Any) -> None:
    body = flow_request(shops["us"], "999999")
    assert (
        client.post(
            PATH, data=body, headers={"X-Shopify-Hmac-SHA256": shopify_hmac(body)}
        ).status_code
        == 404
    )
