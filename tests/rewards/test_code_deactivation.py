"""Ending a reward code: "the discount is gone" is asked of Shopify (a lookup), never read from the
wording of a userErrors message (issue 14, "Smaller items")."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import select

from plugin.extensions import db
from plugin.models import OutboxItem
from plugin.rewards import redemptions
from tests.conftest import drain_jobs
from tests.rewards.conftest import redemption
from tests.rewards.test_redemptions import reward_of


def issued_code(shop: Any, make_member: Any, proxy: Any) -> Any:
    _member, customer = make_member(shop, "ann@example.com", points=1200)
    made = proxy(
        "POST", "/redemptions", customer=customer, json={"reward_id": reward_of(shop, 1000).id}
    ).get_json()
    found = redemption(made["id"])
    assert found.state == "issued" and found.discount_node_id
    return found


def disable(shop: Any, found: Any) -> OutboxItem:
    assert redemptions.disable(shop, found, "staff:42", "test")
    db.session.commit()  # runs the deactivation (in-process queue) or enqueues it (Redis)
    drain_jobs(current_app)
    db.session.expire_all()
    return db.session.execute(
        select(OutboxItem).where(OutboxItem.idempotency_key == f"redemption:{found.id}:deactivate")
    ).scalar_one()


def test_a_refusal_that_merely_says_not_exist_is_not_taken_for_a_missing_code(
    shops, make_member, proxy, fake_admin
) -> None:  # type: ignore[no-untyped-def]
    shop = shops["us"]
    found = issued_code(shop, make_member, proxy)
    fake_admin.inject(
        "user_error",
        operation="DiscountCodeDeactivate",
        message="The customer selection refers to a segment that does not exist",
        code="INVALID",
    )
    item = disable(shop, found)
    # Today the message's "not exist" made this a quiet success while the code stayed usable.
    assert item.state == "failed", item.result
    code = next(c for c in fake_admin.discount_codes(shop.domain) if c["code"] == found.code)
    assert code["status"] == "ACTIVE"


def test_a_code_the_merchant_deleted_is_found_missing_whatever_the_message_says(
    shops, make_member, proxy, fake_admin
) -> None:  # type: ignore[no-untyped-def]
    shop = shops["us"]
    found = issued_code(shop, make_member, proxy)
    fake_admin.delete_discount(shop.domain, found.discount_node_id)
    fake_admin.inject(
        "user_error", operation="DiscountCodeDeactivate", message="Invalid id", code="INVALID"
    )
    item = disable(shop, found)
    assert item.state == "done", item.last_error
    assert item.result["reason"] == "not_found"
    assert "DiscountCodeByCode" in fake_admin.operations_called(shop.domain)
