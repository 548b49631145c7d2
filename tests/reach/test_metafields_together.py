"""A job's customer-metafield writes for one shop go to Shopify together: one request with a
``metafieldsSet`` per member (each member's write atomic on its own), a refused member failing
alone, a member with more than one call's worth written alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import time_machine
from sqlalchemy import select

from plugin.accounts import link_customer
from plugin.extensions import db
from plugin.jobs import run_outbox_items
from plugin.models import OutboxItem
from plugin.reach.metafields import EFFECT
from tests.rewards.conftest import new_customer_id


def _due_writes(shop: Any) -> list[OutboxItem]:
    return list(
        db.session.execute(
            select(OutboxItem)
            .where(OutboxItem.shop_id == shop.id, OutboxItem.kind == EFFECT)
            .order_by(OutboxItem.id)
        ).scalars()
    )


def _early_in_a_minute() -> datetime:
    """A moment early in a minute to come: what is touched then falls due together, at the next."""
    return datetime.now(UTC).replace(second=5, microsecond=0) + timedelta(minutes=2)


def _run_next_minute(
    fake_admin: Any, shop: Any, start: datetime
) -> tuple[list[OutboxItem], list[str | None], dict[str, int]]:
    """The shop's metafield writes, run as one job once due: the items, the calls, the outcomes."""
    items = _due_writes(shop)
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        before = len(fake_admin.operations_called(shop.domain))
        outcomes = run_outbox_items([item.id for item in items])
    return items, fake_admin.operations_called(shop.domain)[before:], outcomes


def _fields(fake_admin: Any, shop: Any, customer: str) -> dict[str, str]:
    return fake_admin.customer_metafields(shop.domain, f"gid://shopify/Customer/{customer}")


def test_members_metafields_are_written_in_one_request_each_atomic_alone(
    shops: Any, make_member: Any, fake_admin: Any
) -> None:
    us = shops["us"]
    start = _early_in_a_minute()
    with time_machine.travel(start, tick=False):
        made = [make_member(us, f"many{n}@example.com", points=100 * (n + 1)) for n in range(4)]
        # The third member's customer is unknown to Shopify: its write is refused.
        refused, _ = made[2]
        ghost = new_customer_id()
        link_customer(us, ghost, member=refused, email="ghost@example.com")
        db.session.commit()
    items, calls, outcomes = _run_next_minute(fake_admin, us, start)
    assert len(items) == 4
    assert calls == ["MetafieldsSet_4"]
    assert outcomes == {"done": 3, "failed": 1}
    states = {item.payload["member_id"]: item.state for item in _rows(items)}
    assert states == {
        member.id: "failed" if member.id == refused.id else "done" for member, _ in made
    }
    for n, (member, customer) in enumerate(made):
        fields = _fields(fake_admin, us, customer)
        if member.id == refused.id:
            assert fields == {}  # atomic: none of the member's metafields, not even the known one's
        else:
            assert fields["$app.points_balance"] == str(100 * (n + 1))
            assert fields["$app.tesmart_id_status"] == "active"
    failed = next(item for item in _rows(items) if item.state == "failed")
    assert "Owner does not exist" in (failed.last_error or "")


def test_a_member_with_more_than_one_calls_worth_is_written_alone(
    shops: Any, make_member: Any, fake_admin: Any
) -> None:
    us = shops["us"]
    start = _early_in_a_minute()
    with time_machine.travel(start, tick=False):
        big, first = make_member(us, "big@example.com", points=50)
        extra = [first]
        for n in range(4):  # five customer accounts: 30 metafields or more, over 25 a call
            customer = new_customer_id()
            link_customer(us, customer, member=big, email=f"big{n}@example.com")
            fake_admin.add_customer(
                us.domain, email=f"big{n}@example.com", customer_id=int(customer)
            )
            extra.append(customer)
        small, small_customer = make_member(us, "small@example.com", points=70)
        db.session.commit()
    items, calls, outcomes = _run_next_minute(fake_admin, us, start)
    assert len(items) == 2
    assert outcomes == {"done": 2}
    # The big member's two calls (25 and the rest), then the small member's (alone: plain).
    assert calls == ["MetafieldsSet"] * 3
    for customer in extra:
        assert _fields(fake_admin, us, customer)["$app.points_balance"] == "50"
    assert _fields(fake_admin, us, small_customer)["$app.points_balance"] == "70"


def _rows(items: list[OutboxItem]) -> list[OutboxItem]:
    db.session.expire_all()
    return [db.session.get(OutboxItem, item.id) for item in items]
