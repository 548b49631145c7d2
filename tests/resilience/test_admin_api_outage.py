"""The Admin API failing for minutes (5xx, timeouts, THROTTLED, 429): outbox work waits and
completes, once (invariants 3 and 4). Failing for longer than the outbox's patience: the redemption
fails and its points come back, once.

Time is travelled, not waited: each attempt's back-off is checked, then the item is made due.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from plugin import ledger, outbox
from plugin.accounts import activate, get_or_create_member, link_customer
from plugin.extensions import db
from plugin.jobs import run_outbox_item
from plugin.models import Member, OutboxItem, Redemption, Reward
from plugin.models.types import utcnow
from tests.resilience.conftest import wait_until

pytestmark = pytest.mark.resilience

CUSTOMER_ID = 8_800_000_001
# What Shopify answers to each attempt, in order (the client's own quick retries are off here, so
# one outbox attempt is one request): ten failed attempts, about 17 minutes of back-off.
OUTAGE = [
    ("http_500", {}),
    ("http_503", {}),
    ("timeout", {"applied": True}),  # the code *was* created; the answer never came
    ("throttled", {}),
    ("http_429", {"retry_after": 1}),
    ("http_500", {}),
    ("timeout", {}),
    ("http_503", {}),
    ("throttled", {}),
    ("http_500", {}),
]


@pytest.fixture()
def quiet_client(app, fake_admin, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """One request per outbox attempt (no quick in-request retries, no real sleeps), over the fake's
    own transport, which plays a timeout as a timeout instead of holding the answer for 35 s."""
    from plugin.shopify import admin_api
    from plugin.shopify.client import AdminClient

    monkeypatch.setitem(app.extensions, "admin_http_client", fake_admin.http_client(timeout=10))

    def client(shop):  # type: ignore[no-untyped-def]
        return AdminClient(
            shop.domain,
            admin_api.access_token(shop),
            http_client=admin_api.http_client(),
            sleep=lambda _s: None,
            max_wait_seconds=5.0,
            max_retries=0,
        )

    monkeypatch.setattr(admin_api, "admin_client", client)


def member_with_points(shop, fake_admin, points: int) -> Member:  # type: ignore[no-untyped-def]
    member = get_or_create_member("outage@example.com")
    assert member is not None
    link_customer(shop, str(CUSTOMER_ID), member=member, email=member.email)
    activate(member, utcnow(), "test")
    ledger.post_entry(
        shop_id=shop.id,
        member_id=member.id,
        delta=points,
        kind="adjustment",
        cause_key="test:opening",
    )
    db.session.commit()
    fake_admin.add_customer(shop.domain, email="outage@example.com", customer_id=CUSTOMER_ID)
    return member


def redeem_during_outage(shop, fake_admin, outage):  # type: ignore[no-untyped-def]
    from plugin.rewards import redemptions

    reward = (
        db.session.execute(select(Reward).where(Reward.shop_id == shop.id).order_by(Reward.points))
        .scalars()
        .first()
    )
    member = member_with_points(shop, fake_admin, reward.points)
    for kind, options in outage:
        fake_admin.inject(kind, times=1, operation="DiscountCodeBasicCreate", **options)
    redemption = redemptions.redeem(shop, member, str(CUSTOMER_ID), reward.id)
    item_id = db.session.execute(
        select(OutboxItem.id).where(
            OutboxItem.shop_id == shop.id,
            OutboxItem.idempotency_key == f"redemption:{redemption.id}:create",
        )
    ).scalar_one()
    return member, redemption.id, item_id


def attempt(item_id: int, fake_admin: Any = None, domain: str = "") -> OutboxItem:
    """Make the item due (time travel), run it, and return it as stored. The fake's cost bucket
    restores in real time: after an injected THROTTLED (which empties it) wait the fraction of a
    second it needs, so the next attempt meets the outage planned, not a leftover throttle."""
    if fake_admin is not None:
        wait_until(lambda: fake_admin.bucket_status(domain)["currentlyAvailable"] >= 50, 15, 0.05)
    db.session.remove()
    item = db.session.get(OutboxItem, item_id)
    if item.state == "pending":
        item.next_attempt_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        run_outbox_item(item_id)
    db.session.remove()
    return db.session.get(OutboxItem, item_id)


def test_reward_code_waits_out_minutes_of_admin_api_failures_and_is_created_once(
    shops, fake_admin, quiet_client
) -> None:  # type: ignore[no-untyped-def]
    shop = shops["us"]
    shop_id, domain = shop.id, shop.domain
    member, redemption_id, item_id = redeem_during_outage(shop, fake_admin, OUTAGE)
    member_id = member.id
    waited = timedelta(0)
    item = db.session.get(OutboxItem, item_id)
    for _ in range(len(OUTAGE) + 2):
        if item.state != "pending":
            break
        before = utcnow()
        item = attempt(item_id, fake_admin, domain)
        if item.state == "pending" and item.attempts:
            # Waiting, not hammering: the next attempt is at least the back-off away.
            expected = outbox.backoff(item.attempts, None)
            assert item.next_attempt_at - before >= expected - timedelta(seconds=1)
            waited += expected
    assert item.state == "done", item.last_error
    assert waited >= timedelta(minutes=5), f"the outage lasted only {waited} of simulated time"
    assert not fake_admin.pending_faults()

    redemption = db.session.get(Redemption, redemption_id)
    assert redemption.state == "issued" and redemption.code
    codes = [c["code"] for c in fake_admin.discount_codes(domain)]
    assert codes == [redemption.code], "the code was created twice (or not at all)"
    assert ledger.balance(shop_id, member_id) == ledger.sum_of_entries(shop_id, member_id) == 0


def test_outage_longer_than_the_outbox_waits_gives_the_points_back_once(
    shops, fake_admin, quiet_client
) -> None:  # type: ignore[no-untyped-def]
    shop = shops["us"]
    shop_id, domain = shop.id, shop.domain
    endless = [("http_503", {})] * (outbox.MAX_ATTEMPTS + 2)
    member, redemption_id, item_id = redeem_during_outage(shop, fake_admin, endless)
    member_id = member.id
    for _ in range(outbox.MAX_ATTEMPTS + 2):
        item = attempt(item_id, fake_admin, domain)
    assert item.state == "failed"
    redemption = db.session.get(Redemption, redemption_id)
    assert redemption.state == "failed"
    assert fake_admin.discount_codes(domain) == []
    reward_points = (
        db.session.execute(
            select(Reward.points).where(Reward.shop_id == shop_id).order_by(Reward.points)
        )
        .scalars()
        .first()
    )
    assert (
        ledger.balance(shop_id, member_id)
        == ledger.sum_of_entries(shop_id, member_id)
        == reward_points
    )
    attempt(item_id)  # a late duplicate job changes nothing
    assert ledger.balance(shop_id, member_id) == reward_points
