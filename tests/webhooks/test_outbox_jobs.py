"""A commit's outbox items go to the queue as one rq job per 50 (a drained batch of paid orders
writes one Flow trigger per order), and that job runs each item as its own job would: an item that
raises is left pending for the sweep and the others are done. Its Flow triggers for one shop go to
Shopify up to ten to a request (one aliased document), each with its own answer."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import fakeredis
import pytest
from flask import Flask
from rq import Queue
from rq.job import Job
from rq.registry import ScheduledJobRegistry

from plugin import clock, jobs, outbox
from plugin.extensions import db
from plugin.jobs import run_outbox_items
from plugin.jobs.queue import OUTBOX_JOB_ITEMS, RedisQueue
from plugin.models import OutboxItem
from plugin.reach import flow_triggers


def _triggers(shop: Any, count: int) -> list[int]:
    ids = [
        flow_triggers.send_trigger(
            shop, "tesmart-points-earned", f"k{n}", "123", {"Points": 1, "Balance": 1}
        )
        for n in range(count)
    ]
    return [item_id for item_id in ids if item_id is not None]


def _pending_triggers(shop: Any, fake_admin: Any, count: int) -> list[int]:
    """``count`` triggers for a customer the fake knows, committed and left to the sweep (no job
    has run them yet)."""
    fake_admin.add_customer(shop.domain, email="flow@example.com", customer_id=123)
    ids = _triggers(shop, count)
    outbox.leave_to_sweep()
    db.session.commit()
    return ids


def test_a_commits_items_are_queued_fifty_to_a_job(app: Flask) -> None:
    queue = RedisQueue("redis://127.0.0.1:6379/0")
    queue.connection = fakeredis.FakeRedis()
    due = clock.now() + timedelta(minutes=1)
    queue.enqueue_outbox(list(range(1, 2 * OUTBOX_JOB_ITEMS + 2)), [(500, due), (501, due)])
    rq_queue = Queue("outbox", connection=queue.connection)
    found = [Job.fetch(job_id, connection=queue.connection) for job_id in rq_queue.get_job_ids()]
    assert [
        (
            job.func_name.rsplit(".", 1)[-1],
            len(job.args[0]) if isinstance(job.args[0], list) else job.args[0],
        )
        for job in found
    ] == [
        ("run_outbox_items", OUTBOX_JOB_ITEMS),
        ("run_outbox_items", OUTBOX_JOB_ITEMS),
        ("run_outbox_item", 2 * OUTBOX_JOB_ITEMS + 1),  # the one left over, under its own id
    ]
    assert found[-1].id == f"outbox-{2 * OUTBOX_JOB_ITEMS + 1}"
    scheduled = ScheduledJobRegistry(queue=rq_queue).get_job_ids()
    [later] = [Job.fetch(job_id, connection=queue.connection) for job_id in scheduled]
    assert later.args == ([500, 501],)  # the items due at one moment, in one job


def _tags(shop: Any, customer_gid: str, count: int) -> list[int]:
    ids = [
        outbox.add(
            shop.id,
            outbox.EffectKind.ORDER_TAG.value,
            f"tag:{n}",
            {"id": customer_gid, "tags": [f"t{n}"]},
        )
        for n in range(count)
    ]
    return [item_id for item_id in ids if item_id is not None]


def test_one_item_that_raises_leaves_the_others_done(
    shops: Any, app: Flask, fake_admin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Items performed one at a time (tags); Flow triggers, performed together, are below.
    customer = fake_admin.add_customer(
        shops["us"].domain, email="flow@example.com", customer_id=123
    )
    ids = _tags(shops["us"], customer, 3)
    outbox.leave_to_sweep()
    db.session.commit()
    original = jobs.run_outbox_item

    def flaky(item_id: int) -> str:
        if item_id == ids[1]:
            raise RuntimeError("the worker's connection dropped")
        return original(item_id)

    monkeypatch.setattr(jobs, "run_outbox_item", flaky)
    assert run_outbox_items(ids) == {"done": 2, "error": 1}
    db.session.expire_all()
    states = {
        item.id: item.state for item in db.session.query(OutboxItem).filter(OutboxItem.id.in_(ids))
    }
    assert states == {ids[0]: "done", ids[1]: "pending", ids[2]: "done"}


def _states(ids: list[int]) -> dict[int, str]:
    db.session.expire_all()
    return {
        item.id: item.state for item in db.session.query(OutboxItem).filter(OutboxItem.id.in_(ids))
    }


def test_a_jobs_flow_triggers_go_to_shopify_ten_to_a_request(
    shops: Any, app: Flask, fake_admin: Any
) -> None:
    ids = _pending_triggers(shops["us"], fake_admin, 23)
    assert run_outbox_items(ids) == {"done": 23}
    assert fake_admin.operations_called(shops["us"].domain) == [
        "FlowTriggerReceive_10",
        "FlowTriggerReceive_10",
        "FlowTriggerReceive_3",
    ]
    received = fake_admin.flow_triggers(shops["us"].domain, "tesmart-points-earned")
    assert len(received) == 23
    assert set(_states(ids).values()) == {"done"}
    # Run again (a sweep, a repeated job): nothing is sent twice.
    assert run_outbox_items(ids) == {"skipped": 23}
    assert len(fake_admin.flow_triggers(shops["us"].domain)) == 23


def test_a_trigger_shopify_refuses_fails_alone_in_its_request(
    shops: Any, app: Flask, fake_admin: Any
) -> None:
    fake_admin.add_customer(shops["us"].domain, email="flow@example.com", customer_id=123)
    ids = _triggers(shops["us"], 3)
    unknown = flow_triggers.send_trigger(
        shops["us"], "tesmart-points-earned", "k-unknown", "999", {"Points": 1, "Balance": 1}
    )
    assert unknown is not None
    outbox.leave_to_sweep()
    db.session.commit()
    assert run_outbox_items([*ids, unknown]) == {"done": 3, "failed": 1}
    assert fake_admin.operations_called(shops["us"].domain) == ["FlowTriggerReceive_4"]
    assert _states([*ids, unknown]) == {**dict.fromkeys(ids, "done"), unknown: "failed"}
    failed = db.session.get(OutboxItem, unknown)
    assert failed is not None and "Customer not found" in (failed.last_error or "")


def test_a_request_of_triggers_left_unanswered_fails_each_as_alone(
    shops: Any, app: Flask, fake_admin: Any
) -> None:
    ids = _pending_triggers(shops["us"], fake_admin, 3)
    fake_admin.inject("http_503", times=10)  # never answered: each attempt a 503
    outcome = run_outbox_items(ids)
    db.session.expire_all()
    items = db.session.query(OutboxItem).filter(OutboxItem.id.in_(ids)).all()
    # flowTriggerReceive is not repeated after an ambiguous answer (a 503 may have started the
    # merchant's workflows): each trigger of the request fails as it would alone.
    assert outcome == {"failed": 3}
    assert {(item.state, item.attempts) for item in items} == {("failed", 1)}
    assert fake_admin.flow_triggers(shops["us"].domain) == []


def test_a_group_that_raises_is_left_pending_for_the_sweep(
    shops: Any, app: Flask, fake_admin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _pending_triggers(shops["us"], fake_admin, 12)
    original = jobs._perform
    calls: list[int] = []

    def flaky(items: list[OutboxItem]) -> list[str]:
        calls.append(len(items))
        if len(calls) == 1:
            raise RuntimeError("the worker's connection dropped")
        return original(items)

    monkeypatch.setattr(jobs, "_perform", flaky)
    assert run_outbox_items(ids) == {"error": 10, "done": 2}
    assert calls == [10, 2]
    states = _states(ids)
    assert [states[i] for i in ids] == ["pending"] * 10 + ["done"] * 2
    assert run_outbox_items(ids) == {"done": 10, "skipped": 2}  # the sweep's second run
    assert len(fake_admin.flow_triggers(shops["us"].domain)) == 12
