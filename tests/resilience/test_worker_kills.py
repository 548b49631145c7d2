"""Workers SIGKILLed at random points: nothing lost, nothing doubled, balances exact (invariants
1-4).

A worker can die anywhere: between dequeue and the first query, inside the handler's transaction,
after the Admin API created a code but before the commit that records it. The database row
(webhook event ``received``, outbox item ``pending``) is the durable record; the sweep re-enqueues
it, and each job is idempotent. Counts: 400 events / 100 redemptions in the normal suite (its
time budget), 10,000 / 1,000 with RESILIENCE_FULL=1.
"""

from __future__ import annotations

import random
import time
import uuid
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import func, select

from plugin import ledger
from plugin.accounts import activate, get_or_create_member, link_customer
from plugin.extensions import db
from plugin.models import (
    Device,
    Member,
    OutboxItem,
    PointEntry,
    Redemption,
    Reward,
    ShopCustomer,
    Wallet,
    WebhookEvent,
)
from plugin.models.types import utcnow
from plugin.shops.products import upsert_product
from tests import payloads
from tests.resilience.conftest import FULL, deliver_with, needs_postgres_and_redis, sweep_until

pytestmark = [pytest.mark.resilience, needs_postgres_and_redis]

KVM_ID = 9_200_000_001
ORDER_POINTS = 2_000  # POLICY.md 3 default, no campaign running


class Killer:
    """Kills one worker every 0.3-1.5 s (seeded), at most ``limit`` times."""

    def __init__(self, pool: Any, limit: int, seed: int) -> None:
        self.pool = pool
        self.limit = limit
        self.rng = random.Random(seed)
        self.next_at = time.monotonic() + self.rng.uniform(0.3, 1.5)

    def tick(self, force: bool = False) -> None:
        if self.pool.killed < self.limit and (force or time.monotonic() >= self.next_at):
            self.pool.kill_one(self.rng)
            self.next_at = time.monotonic() + self.rng.uniform(0.3, 1.5)


def counts_by_state(model: Any) -> Counter[str]:
    db.session.remove()
    rows = db.session.execute(select(model.state, func.count()).group_by(model.state)).all()
    db.session.remove()
    return Counter({state: n for state, n in rows})


def test_sigkilled_workers_lose_and_double_no_webhook_event(
    app, shops, plain_client, workers
) -> None:  # type: ignore[no-untyped-def]
    events = 10_000 if FULL else 400
    customers = 40
    us = shops["us"]
    shop_id = us.id
    upsert_product(us, payloads.product(KVM_ID, product_type="KVM Switch"))
    db.session.commit()
    pool = workers(queues="webhooks,outbox,default")
    pool.start(2)
    killer = Killer(pool, limit=40 if FULL else 8, seed=20261122)
    rng = random.Random(7)
    delivered: set[str] = set()
    orders_of: Counter[int] = Counter()
    started = time.monotonic()
    for index in range(events):
        customer_id = 6_100_000 + index % customers
        order = payloads.order(
            order_id=6_000_000_000 + index,
            lines=[payloads.line_item(KVM_ID, "149.00")],
            customer_block=payloads.customer(customer_id, f"kill{customer_id}@example.com"),
        )
        webhook_id = str(uuid.uuid4())
        assert (
            deliver_with(plain_client, "orders/paid", order, webhook_id=webhook_id).status_code
            == 200
        )
        delivered.add(webhook_id)
        orders_of[customer_id] += 1
        if rng.random() < 0.05:  # Shopify retries a delivery it thinks failed: same webhook id
            assert (
                deliver_with(plain_client, "orders/paid", order, webhook_id=webhook_id).status_code
                == 200
            )
        if (
            rng.random() < 0.03
        ):  # the same order again under a new delivery (reconciliation, resend)
            again = str(uuid.uuid4())
            assert (
                deliver_with(plain_client, "orders/paid", order, webhook_id=again).status_code
                == 200
            )
            delivered.add(again)
        killer.tick(force=index % (events // 4) == events // 8)  # at least four kills mid-stream
    print(
        f"delivered {len(delivered)} in {time.monotonic() - started:.1f}s, {pool.killed} kills so "
        "far"
    )
    # Keep killing while the queue drains, then let the clock's sweep heal what the kills left.
    while (
        pool.killed < killer.limit
        and counts_by_state(WebhookEvent)["received"]
        and time.monotonic() - started < (900 if FULL else 240)
    ):
        killer.tick()
        time.sleep(0.05)
    healed = sweep_until(
        app, lambda: counts_by_state(WebhookEvent)["received"] == 0, timeout=600 if FULL else 120
    )
    states = counts_by_state(WebhookEvent)
    print(f"done in {time.monotonic() - started:.1f}s with {pool.killed} kills")
    assert healed, f"events still waiting after the sweep: {dict(states)}"
    assert pool.killed >= 4, "the test did not kill workers while they worked"

    db.session.remove()
    assert states == Counter({"processed": len(delivered)}), "an event was lost, doubled or failed"
    entries = (
        db.session.execute(
            select(PointEntry.cause_key).where(
                PointEntry.shop_id == shop_id, PointEntry.kind == "order"
            )
        )
        .scalars()
        .all()
    )
    assert len(entries) == len(set(entries)) == events
    assert (
        db.session.execute(
            select(func.count()).select_from(Device).where(Device.shop_id == shop_id)
        ).scalar()
        == events
    )
    balances = dict(
        db.session.execute(
            select(ShopCustomer.customer_id, Wallet.balance)
            .join(
                Wallet,
                (Wallet.member_id == ShopCustomer.member_id)
                & (Wallet.shop_id == ShopCustomer.shop_id),
            )
            .where(ShopCustomer.shop_id == shop_id)
        ).all()
    )
    assert balances == {str(c): n * ORDER_POINTS for c, n in orders_of.items()}
    for member_id in db.session.execute(
        select(Wallet.member_id).where(Wallet.shop_id == shop_id)
    ).scalars():
        assert ledger.balance(shop_id, member_id) == ledger.sum_of_entries(shop_id, member_id)


def test_sigkilled_workers_issue_each_reward_code_once(app, shops, workers, served_fake) -> None:  # type: ignore[no-untyped-def]
    from plugin.rewards import redemptions

    count = 1_000 if FULL else 100
    us = shops["us"]
    shop_id, domain = us.id, us.domain
    reward = (
        db.session.execute(select(Reward).where(Reward.shop_id == us.id).order_by(Reward.points))
        .scalars()
        .first()
    )
    assert reward is not None
    members: list[tuple[int, str]] = []
    for index in range(count):
        customer_id = str(6_500_000 + index)
        member = get_or_create_member(f"redeem{index}@example.com")
        assert member is not None
        link_customer(us, customer_id, member=member, email=member.email)
        activate(member, utcnow(), "test")
        ledger.post_entry(
            shop_id=us.id,
            member_id=member.id,
            delta=reward.points + 100,
            kind="adjustment",
            cause_key=f"test:opening:{index}",
        )
        members.append((member.id, customer_id))
    db.session.commit()
    served_fake.add_customers(
        domain, [(c, f"redeem{i}@example.com") for i, (_m, c) in enumerate(members)]
    )

    pool = workers(fake_url=served_fake.url, queues="outbox,default")
    pool.start(2)
    killer = Killer(pool, limit=30 if FULL else 6, seed=3)
    started = time.monotonic()
    reward_id = reward.id
    for index, (member_id, customer_id) in enumerate(members):
        redemptions.redeem(us, db.session.get(Member, member_id), customer_id, reward_id)
        killer.tick(force=index % (count // 4) == count // 8)  # at least four kills mid-stream
    print(f"redeemed {count} in {time.monotonic() - started:.1f}s, {pool.killed} kills so far")
    while (
        pool.killed < killer.limit
        and counts_by_state(Redemption)["pending"]
        and time.monotonic() - started < (900 if FULL else 240)
    ):
        killer.tick()
        time.sleep(0.05)
    healed = sweep_until(
        app, lambda: counts_by_state(Redemption)["pending"] == 0, timeout=600 if FULL else 120
    )
    print(f"done in {time.monotonic() - started:.1f}s with {pool.killed} kills")
    assert healed, f"redemptions still pending: {dict(counts_by_state(Redemption))}"
    assert pool.killed >= 4, "the test did not kill workers while they worked"

    db.session.remove()
    issued = (
        db.session.execute(select(Redemption).where(Redemption.shop_id == shop_id)).scalars().all()
    )
    errors = Counter(
        db.session.execute(
            select(OutboxItem.last_error).where(OutboxItem.shop_id == shop_id)
        ).scalars()
    )
    assert Counter(r.state for r in issued) == Counter({"issued": count}), (
        f"outbox errors: {errors.most_common(3)}"
    )
    codes_at_shopify = served_fake.codes(domain)
    assert len(codes_at_shopify) == len(set(codes_at_shopify)) == count, "a code was created twice"
    assert {r.code for r in issued} == set(codes_at_shopify)
    for member_id, _customer in members:
        assert (
            ledger.balance(shop_id, member_id) == ledger.sum_of_entries(shop_id, member_id) == 100
        )
