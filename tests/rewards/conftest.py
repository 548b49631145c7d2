"""Fixtures for rewards, redemptions, referrals and activities.

The fake Admin API runs on a manual clock: the client's back-off and the fake's rate-limit bucket
move together without real waiting. ``held_jobs`` keeps outbox jobs from running at commit, so a
test can run (or crash) them itself; ``settle_outbox`` runs what is pending, with time moved
forward, until nothing is.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from plugin import ledger
from plugin.accounts import activate, get_or_create_member, link_customer
from plugin.extensions import db
from plugin.jobs.queue import JobQueue
from plugin.models import Member, OutboxItem, Redemption, Shop
from plugin.models.types import utcnow
from plugin.shopify import admin_api
from plugin.shopify.client import AdminClient, CostBuckets
from plugin.shopify.fake import FakeAdminApi, ManualClock
from plugin.storefront import rate_limit

_customer_ids = itertools.count(7_100_000_001)


@pytest.fixture()
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(autouse=True)
def fake_admin(app: Flask, clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> FakeAdminApi:
    """The in-process fake Admin API of this test's app, on a manual clock."""
    fake = FakeAdminApi(clock=clock.monotonic, sleep=clock.sleep)
    app.extensions["fake_admin"] = fake
    app.extensions.pop("admin_http_client", None)
    buckets = CostBuckets()

    def client(shop: Shop) -> AdminClient:
        return AdminClient(
            shop.domain,
            admin_api.access_token(shop),
            http_client=admin_api.http_client(),
            api_version=app.config["API_VERSION"],
            max_wait_seconds=5.0,
            sleep=clock.sleep,
            clock=clock.monotonic,
            buckets=buckets,
            jitter=lambda: 0.0,
        )

    monkeypatch.setattr(admin_api, "admin_client", client)
    rate_limit.reset()
    return fake


@pytest.fixture(autouse=True)
def _close_connections(app: Flask) -> Iterator[None]:
    """Each test's app has its own engine; close its pooled connections when the test ends, so a
    long run does not hold PostgreSQL connections other suites on the server need."""
    yield
    db.session.remove()
    db.engine.dispose()


class HeldQueue(JobQueue):
    """Keeps jobs instead of running them, so a test decides when (and how) they run."""

    def __init__(self) -> None:
        self.enqueued: list[tuple[str, tuple[Any, ...]]] = []

    def enqueue(self, func, *args, queue="default", job_id=None):  # type: ignore[no-untyped-def]
        self.enqueued.append((func.__name__, args))
        return True

    def enqueue_in(self, delay, func, *args, queue="default"):  # type: ignore[no-untyped-def]
        return True

    def status(self) -> str:
        return "held"


@pytest.fixture()
def held_jobs(app: Flask) -> Iterator[HeldQueue]:
    original = app.extensions["tesmart_queue"]
    held = HeldQueue()
    app.extensions["tesmart_queue"] = held
    yield held
    app.extensions["tesmart_queue"] = original


def pending_items(kind: str | None = None) -> list[int]:
    """Pending outbox items (of one kind: points also queue Flow triggers and metafield writes)."""
    db.session.expire_all()
    stmt = select(OutboxItem.id).where(OutboxItem.state == "pending").order_by(OutboxItem.id)
    if kind is not None:
        stmt = stmt.where(OutboxItem.kind == kind)
    return list(db.session.execute(stmt).scalars())


def settle_outbox(max_rounds: int = 40) -> int:
    """Run every pending outbox item, time moved past its back-off, until none is pending."""
    from plugin.jobs import run_outbox_item

    for rounds in range(max_rounds):
        db.session.execute(
            update(OutboxItem)
            .where(OutboxItem.state == "pending")
            .values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
        items = pending_items()
        if not items:
            return rounds
        for item_id in items:
            run_outbox_item(item_id)
    raise AssertionError(f"outbox still pending after {max_rounds} rounds: {pending_items()}")


def new_customer_id() -> str:
    return str(next(_customer_ids))


@pytest.fixture()
def make_member(fake_admin: FakeAdminApi) -> Callable[..., tuple[Member, str]]:
    """An activated TESmart ID with a customer account in ``shop`` (here and at the fake Admin API),
    holding ``points``: ``member, customer_id = make_member(shop, "ann@example.com",
    points=1200)``."""

    def make(
        shop: Shop,
        email: str,
        *,
        points: int = 0,
        active: bool = True,
        customer_id: str | None = None,
    ) -> tuple[Member, str]:
        customer_id = customer_id or new_customer_id()
        member = get_or_create_member(email)
        assert member is not None
        if active:
            activate(member, utcnow() - timedelta(days=30), "test")
        link_customer(shop, customer_id, member=member, email=email)
        if points:
            ledger.post_entry(
                shop_id=shop.id,
                member_id=member.id,
                delta=points,
                kind="adjustment",
                cause_key=f"opening:{member.id}:{customer_id}",
            )
        db.session.commit()
        fake_admin.add_customer(shop.domain, email=email, customer_id=int(customer_id))
        return member, customer_id

    return make


def balance(shop_id: int, member_id: int) -> int:
    db.session.expire_all()
    cached = ledger.balance(shop_id, member_id)
    assert cached == ledger.sum_of_entries(shop_id, member_id), (
        "cached balance drifted from the ledger"
    )
    return cached


def redemption(redemption_id: int) -> Redemption:
    db.session.expire_all()
    found = db.session.get(Redemption, redemption_id)
    assert found is not None
    return found


def codes_for(fake: FakeAdminApi, shop: Shop, code: str) -> list[dict[str, Any]]:
    return [c for c in fake.discount_codes(shop.domain) if c["code"].upper() == code.upper()]
