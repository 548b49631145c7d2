"""A dead refresh token is recovered, not fatal: the shop is marked as needing re-authorization,
Admin API work waits instead of failing, and the merchant's next open of the app repeats the token
exchange and lets the waiting work run (issue 14, "Tokens and installs")."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from plugin import clock, outbox
from plugin.extensions import db
from plugin.jobs import run_outbox_item
from plugin.models import OutboxItem, Shop
from plugin.shopify.token_store import offline_token
from tests.foundation.test_tokens import exchanged


@pytest.fixture()
def strict_fake(fake_admin: Any) -> Any:
    """The fake accepting only the tokens it issued, as Shopify does."""
    fake_admin.require_valid_tokens = True
    yield fake_admin
    fake_admin.require_valid_tokens = False


def tag_item(shop: Shop, fake: Any) -> int:
    order = fake.add_order(shop.domain, line_items=[{"title": "KVM", "price": "100.00"}])
    outbox.add(shop.id, "order.tag", f"test:tag:{order}", {"id": order, "tags": ["tesmart-gift"]})
    item_id = db.session.execute(
        select(OutboxItem.id).where(OutboxItem.shop_id == shop.id)
    ).scalar_one()
    outbox.leave_to_sweep()  # the test runs the item itself
    db.session.commit()
    return item_id


def run_due(item_id: int) -> OutboxItem:
    db.session.remove()
    item = db.session.get(OutboxItem, item_id)
    item.next_attempt_at = clock.now() - timedelta(seconds=1)
    db.session.commit()
    run_outbox_item(item_id)
    db.session.remove()
    return db.session.get(OutboxItem, item_id)


def expire_access_token(shop: Shop) -> None:
    shop.access_token_expires_at = clock.now() + timedelta(minutes=1)  # inside the refresh margin
    db.session.commit()


def test_a_dead_refresh_token_marks_the_shop_and_the_work_waits(
    shops: Any, strict_fake: Any
) -> None:
    shop = shops["us"]
    exchanged(shop)
    shop_id, domain = shop.id, shop.domain
    expire_access_token(db.session.get(Shop, shop_id))
    strict_fake.expire_refresh_tokens(domain)
    item_id = tag_item(db.session.get(Shop, shop_id), strict_fake)

    item = run_due(item_id)  # today: TokenExchangeFailed escapes into rq, the item untouched
    assert item.state == "pending" and item.attempts == 0
    assert item.next_attempt_at >= clock.now() + timedelta(minutes=30)
    assert "Reauthorization" in (item.last_error or "")
    assert db.session.get(Shop, shop_id).reauthorization_needed_at is not None

    refreshes = len(strict_fake.calls)
    item = run_due(item_id)  # still marked: no new refresh is tried, and nothing fails
    assert item.state == "pending" and item.attempts == 0
    assert len(strict_fake.calls) == refreshes


def test_the_next_admin_open_repeats_the_exchange_and_the_waiting_work_runs(
    shops: Any, strict_fake: Any, admin_get: Any
) -> None:
    shop = shops["us"]
    exchanged(shop)
    shop_id, domain = shop.id, shop.domain
    expire_access_token(db.session.get(Shop, shop_id))
    strict_fake.expire_refresh_tokens(domain)
    item_id = tag_item(db.session.get(Shop, shop_id), strict_fake)
    assert run_due(item_id).state == "pending"
    dead = offline_token(db.session.get(Shop, shop_id))

    # Today the open returns early because a token is stored, and the shop stays stuck.
    assert admin_get("/admin/", shop="us").status_code == 200
    db.session.remove()
    renewed = db.session.get(Shop, shop_id)
    assert renewed.reauthorization_needed_at is None
    token = offline_token(renewed)
    assert token.refresh_token != dead.refresh_token
    assert strict_fake.access_token_valid(domain, token.access_token)
    item = db.session.get(OutboxItem, item_id)
    assert item.state == "done", item.last_error
    assert "tesmart-gift" in strict_fake.order(domain, item.payload["id"])["tags"]


def test_an_admin_open_after_the_refresh_token_ran_out_repeats_the_exchange(
    shops: Any, strict_fake: Any, admin_get: Any
) -> None:
    shop = shops["us"]
    exchanged(shop)
    shop_id, _domain = shop.id, shop.domain
    db.session.get(Shop, shop_id).refresh_token_expires_at = clock.now() - timedelta(
        seconds=1
    )  # its 90 days are over
    db.session.commit()
    before = offline_token(db.session.get(Shop, shop_id))
    assert admin_get("/admin/", shop="us").status_code == 200
    db.session.remove()
    after = offline_token(db.session.get(Shop, shop_id))
    assert after.refresh_token != before.refresh_token


def test_a_401_is_answered_by_a_refresh_and_the_item_is_done(shops: Any, strict_fake: Any) -> None:
    shop = shops["us"]
    exchanged(shop)
    shop_id, _domain = shop.id, shop.domain
    item_id = tag_item(db.session.get(Shop, shop_id), strict_fake)
    strict_fake.inject("http_401", operation="TagsAdd")

    item = run_due(item_id)  # today: a 401 is not transient, the item failed for good
    assert item.state == "pending" and item.attempts == 1
    item = run_due(item_id)
    assert item.state == "done", item.last_error
    assert db.session.get(Shop, shop_id).reauthorization_needed_at is None


def test_a_refresh_that_cannot_reach_shopify_is_retried_with_back_off(
    shops: Any, strict_fake: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from plugin.shopify import admin_api
    from plugin.shopify.tokens import TokenExchangeFailed

    shop = shops["us"]
    exchanged(shop)
    shop_id, _domain = shop.id, shop.domain
    expire_access_token(db.session.get(Shop, shop_id))
    item_id = tag_item(db.session.get(Shop, shop_id), strict_fake)

    def unreachable(*_args: Any, **_kwargs: Any) -> Any:
        raise TokenExchangeFailed("network_error", "connection refused")

    monkeypatch.setattr(admin_api, "refresh_offline_token", unreachable)
    item = run_due(item_id)  # today: the exception escapes into rq, no back-off recorded
    assert item.state == "pending" and item.attempts == 1
    assert item.next_attempt_at > clock.now()
    assert db.session.get(Shop, shop_id).reauthorization_needed_at is None
    monkeypatch.undo()
    assert run_due(item_id).state == "done"
