"""One typed CustomerSnapshot from either of Shopify's shapes: a customers/* webhook body or the
``MemberCustomer`` GraphQL node (reconciliation, the storefront's first sight of a customer) give
the same customer to the use cases."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace
from datetime import UTC, datetime
from typing import Any

import pytest

from plugin.shopify.payloads import (
    ConsentSnapshot,
    CustomerSnapshot,
    MarketingConsent,
    PayloadError,
)
from tests import payloads


def _node(customer_id: int, **email: Any) -> dict[str, Any]:
    return {
        "id": f"gid://shopify/Customer/{customer_id}",
        "defaultEmailAddress": {
            "emailAddress": "jane@example.com",
            "marketingState": "SUBSCRIBED",
            "marketingOptInLevel": "SINGLE_OPT_IN",
            "marketingUpdatedAt": "2026-03-02T09:30:00+01:00",
            **email,
        },
        "verifiedEmail": True,
        "state": "ENABLED",
        "createdAt": "2026-03-01T10:00:00Z",
        "updatedAt": "2026-03-02T08:30:00Z",
        "tags": [],
    }


def _webhook(customer_id: int) -> dict[str, Any]:
    return payloads.customer(
        customer_id,
        "jane@example.com",
        created_at="2026-03-01T10:00:00Z",
        updated_at="2026-03-02T08:30:00Z",
        verified_email=True,
        email_marketing_consent={
            "state": "subscribed",
            "opt_in_level": "single_opt_in",
            "consent_updated_at": "2026-03-02T08:30:00Z",
        },
    )


def test_a_webhook_body_and_a_graphql_node_give_the_same_customer() -> None:
    from_webhook = CustomerSnapshot.from_webhook(_webhook(4711))
    from_node = CustomerSnapshot.from_graphql(_node(4711))
    assert from_webhook.id == "4711" and from_webhook.email == "jane@example.com"
    assert from_webhook.created_at == datetime(2026, 3, 1, 10, tzinfo=UTC)
    assert from_webhook.marketing == MarketingConsent(
        "subscribed", datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
    )
    assert from_webhook.marketing.subscribed
    # The fragment asks for no names and no order count (protected customer data).
    assert (from_webhook.first_name, from_webhook.orders_count) == ("Jane", 0)
    assert (from_node.first_name, from_node.last_name, from_node.orders_count) == (None, None, None)
    assert replace(from_webhook, first_name=None, last_name=None, orders_count=None) == from_node


def test_what_a_shape_leaves_out_stays_unstated() -> None:
    body = {"id": "gid://shopify/Customer/5", "email": 42, "verified_email": "yes"}
    snapshot = CustomerSnapshot.from_webhook(body)
    assert snapshot.id == "5"
    assert (snapshot.email, snapshot.verified_email, snapshot.marketing) == (None, None, None)
    assert (snapshot.created_at, snapshot.updated_at, snapshot.orders_count) == (None, None, None)
    node = CustomerSnapshot.from_graphql({"id": "gid://shopify/Customer/5"})
    assert (node.email, node.marketing, node.verified_email) == (None, None, False)
    unsubscribed = CustomerSnapshot.from_graphql(_node(6, marketingState="UNSUBSCRIBED"))
    assert unsubscribed.marketing is not None and not unsubscribed.marketing.subscribed
    with pytest.raises(PayloadError):
        CustomerSnapshot.from_webhook({"email": "jane@example.com"})
    with pytest.raises(PayloadError):
        CustomerSnapshot.from_graphql({"defaultEmailAddress": {"emailAddress": "a@example.com"}})


def test_a_consent_update_reads_its_customer_email_and_consent() -> None:
    snapshot = ConsentSnapshot.from_webhook(
        {
            "customer_id": 4711,
            "email_address": "jane@example.com",
            "email_marketing_consent": {
                "state": "subscribed",
                "consent_updated_at": "2026-03-02T08:30:00Z",
            },
        }
    )
    assert snapshot == ConsentSnapshot(
        "4711",
        "jane@example.com",
        MarketingConsent("subscribed", datetime(2026, 3, 2, 8, 30, tzinfo=UTC)),
    )
    bare = ConsentSnapshot.from_webhook({"customer_id": None, "email_address": None})
    assert bare == ConsentSnapshot(None, None, None)


def test_a_customer_snapshot_is_frozen() -> None:
    snapshot = CustomerSnapshot.from_graphql(_node(7))
    with pytest.raises(FrozenInstanceError):
        snapshot.email = "other@example.com"  # type: ignore[misc]
