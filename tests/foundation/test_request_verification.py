"""Every surface verifies what Shopify signs; a forgery is a 401 and writes nothing (issue 2)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from plugin.extensions import db
from plugin.models import AuditLog, Member, PointEntry, WebhookEvent
from tests import payloads, signing

US = "tesmart-us.myshopify.com"


def rows() -> tuple[int, int, int, int]:
    db.session.expire_all()
    count = lambda model: db.session.execute(select(func.count()).select_from(model)).scalar_one()  # noqa: E731
    return count(PointEntry), count(WebhookEvent), count(AuditLog), count(Member)


@pytest.fixture()
def member_id(shops, deliver) -> int:  # type: ignore[no-untyped-def]
    deliver("customers/create", payloads.customer(email="ann@example.com"))
    return db.session.execute(select(Member.id)).scalar_one()


@pytest.mark.parametrize(
    "token_kwargs",
    [{"secret": "forged-secret"}, {"expires_in": -300}],
    ids=["forged session token", "expired session token"],
)
def test_bad_session_token_on_an_admin_action_is_a_401_and_writes_nothing(
    client, member_id, token_kwargs
) -> None:  # type: ignore[no-untyped-def]
    before = rows()
    token = signing.session_token(US, **token_kwargs)
    response = client.post(
        f"/admin/members/{member_id}/adjust",
        data={"points": "5000", "reason": "forged"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 401
    assert rows() == before


def test_forged_app_proxy_signature_is_a_401_and_writes_nothing(client, member_id) -> None:  # type: ignore[no-untyped-def]
    before = rows()
    query = signing.proxy_query(US, "12345", secret="forged-secret")
    response = client.post(f"/proxy/activities?{query}", json={"kind": "survey", "survey_id": "s1"})
    assert response.status_code == 401
    stale = signing.proxy_query(US, "12345", timestamp=int(time.time()) - 3600)
    assert client.get(f"/proxy/member?{stale}").status_code == 401
    assert rows() == before


def test_forged_webhook_hmac_is_a_401_and_writes_nothing(deliver, member_id) -> None:  # type: ignore[no-untyped-def]
    before = rows()
    order = payloads.order(customer_block=payloads.customer(email="ann@example.com"))
    assert deliver("orders/paid", order, secret="forged-secret").status_code == 401
    assert rows() == before
