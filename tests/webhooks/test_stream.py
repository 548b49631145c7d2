"""The webhook stream: the receiver pushes ids onto one Redis list, drainers take them in batches.

Runs against fakeredis in the default pass and against the real server when REDIS_URL is set.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import fakeredis
import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError

import plugin.jobs
from plugin.extensions import db
from plugin.jobs import drain_webhooks, sweep
from plugin.jobs.queue import (
    SWEEP_LEASE_MS,
    WEBHOOK_DRAINERS,
    WEBHOOK_STREAM,
    RedisQueue,
    drain_lease,
    sweep_lease,
)
from plugin.models import PointEntry, WebhookEvent
from plugin.models.types import utcnow
from tests import payloads
from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL, drain_jobs


@pytest.fixture(params=["fakeredis", "redis"])
def stream(request: pytest.FixtureRequest, app: Flask) -> Iterator[RedisQueue]:
    """The app's queue on a Redis of the test's own: a fake one, or the real server's test db."""
    if request.param == "redis" and not TEST_REDIS_URL:
        pytest.skip("REDIS_URL is not set")
    queue = RedisQueue(TEST_REDIS_URL or "redis://127.0.0.1:6379/0")
    if request.param == "fakeredis":
        queue.connection = fakeredis.FakeRedis()
    queue.connection.flushdb()
    original = app.extensions["tesmart_queue"]
    app.extensions["tesmart_queue"] = queue
    yield queue
    app.extensions["tesmart_queue"] = original
    queue.connection.flushdb()


@pytest.fixture()
def plain_client(app: Flask) -> FlaskClient:
    """A client that leaves the queued jobs alone: each test runs them when it means to."""
    return FlaskClient(app, use_cookies=False)


def jobs(queue: RedisQueue) -> list[tuple[str, tuple[Any, ...]]]:
    from rq.job import Job

    rq_queue = queue.queue("webhooks")
    found = []
    for job_id in rq_queue.get_job_ids():
        job = Job.fetch(job_id, connection=queue.connection)
        found.append((job.func_name.rsplit(".", 1)[-1], tuple(job.args)))
    return found


def states() -> dict[str, int]:
    db.session.expire_all()
    return dict(
        db.session.execute(
            select(WebhookEvent.state, func.count()).group_by(WebhookEvent.state)
        ).all()
    )


def customers(deliver, count: int, start: int = 0) -> None:  # type: ignore[no-untyped-def]
    for index in range(start, start + count):
        response = deliver(
            "customers/create", payloads.customer(900_000 + index, f"stream{index}@example.com")
        )
        assert response.status_code == 200 and response.get_json() == {"status": "accepted"}


def test_deliveries_share_one_drainer_that_processes_each_once(shops, plain_client, stream) -> None:  # type: ignore[no-untyped-def]
    deliver = _deliver(plain_client)
    customers(deliver, 12)
    assert stream.connection.llen(WEBHOOK_STREAM) == 12
    assert jobs(stream) == [("drain_webhooks", (0,))], (
        "one drainer for the lot, not a job per delivery"
    )
    assert states() == {"received": 12}

    drain_jobs(plain_client.application)

    assert states() == {"processed": 12}
    assert stream.connection.llen(WEBHOOK_STREAM) == 0
    assert not stream.connection.exists(drain_lease(0)), (
        "the lease is given up when the stream is empty"
    )
    db.session.expire_all()
    assert (
        db.session.execute(select(func.count()).select_from(PointEntry)).scalar() == 12
    )  # sign-up points

    customers(deliver, 1, start=12)  # the next delivery starts a drainer again
    assert jobs(stream) == [("drain_webhooks", (0,))]


def test_a_delivery_pushed_while_the_lease_is_held_is_not_stranded(
    shops, plain_client, stream, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    deliver = _deliver(plain_client)
    stream.connection.set(drain_lease(0), "1")  # a drainer is at work: receivers start nobody
    customers(deliver, 3)
    assert jobs(stream) == []

    # The drainer finds the stream empty and lets go just as one more delivery arrives: it must see
    # that delivery instead of leaving it to the sweep.
    taken = stream.take_webhooks
    calls = {"n": 0}

    def take(slot: int, count: int) -> list[int]:
        calls["n"] += 1
        ids = taken(slot, count)
        if calls["n"] == 2:  # between the last batch and the release
            customers(deliver, 1, start=3)
        return ids

    monkeypatch.setattr(stream, "take_webhooks", take)
    with plain_client.application.app_context():
        drained = drain_webhooks(0)
    assert drained == 4
    assert states() == {"processed": 4}


def test_a_backlog_starts_the_next_drainer(shops, plain_client, stream, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(plugin.jobs, "DRAIN_BATCH", 2)
    deliver = _deliver(plain_client)
    customers(deliver, 7)
    with plain_client.application.app_context():
        assert stream.take_webhooks(0, 2)  # a drainer takes its first batch and sees 5 waiting
    assert ("drain_webhooks", (1,)) in jobs(stream)
    assert stream.connection.exists(drain_lease(1))
    with plain_client.application.app_context():
        assert stream.take_webhooks(WEBHOOK_DRAINERS - 1, 2)
    assert ("drain_webhooks", (WEBHOOK_DRAINERS,)) not in jobs(stream), "never more than the cap"


def test_a_drainer_out_of_time_hands_over_to_a_successor(
    shops, plain_client, stream, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(plugin.jobs, "DRAIN_BATCH", 2)
    monkeypatch.setattr(plugin.jobs, "DRAIN_SECONDS", 0.0)
    deliver = _deliver(plain_client)
    customers(deliver, 5)
    stream.connection.delete(stream.queue("webhooks").key)  # the receivers' job: run it by hand
    with plain_client.application.app_context():
        assert drain_webhooks(0) == 2
    # The backlog (3 > 2) also started slot 1; slot 0 queued its own successor behind it.
    assert jobs(stream) == [("drain_webhooks", (1,)), ("drain_webhooks", (0,))]
    assert stream.connection.exists(drain_lease(0)), "the slot stays leased for the successor"
    drain_jobs(plain_client.application)
    assert states() == {"processed": 5}


def test_ids_a_killed_drainer_took_are_processed_by_the_sweep(shops, plain_client, stream) -> None:  # type: ignore[no-untyped-def]
    deliver = _deliver(plain_client)
    customers(deliver, 4)
    stream.connection.lpop(WEBHOOK_STREAM, 4)  # taken by a drainer that was then SIGKILLed
    stream.connection.delete(stream.queue("webhooks").key, drain_lease(0))
    db.session.execute(update(WebhookEvent).values(received_at=utcnow() - timedelta(minutes=5)))
    db.session.commit()
    with plain_client.application.app_context():
        assert sweep()["webhooks"] == 4
    drain_jobs(plain_client.application)
    assert states() == {"processed": 4}


def test_a_second_sweep_does_not_enqueue_again_while_the_first_is_pending(
    shops, plain_client, stream
) -> None:  # type: ignore[no-untyped-def]
    deliver = _deliver(plain_client)
    customers(deliver, 4)
    stream.connection.lpop(WEBHOOK_STREAM, 4)  # taken by a drainer that was then SIGKILLed
    stream.connection.delete(stream.queue("webhooks").key, drain_lease(0))
    db.session.execute(update(WebhookEvent).values(received_at=utcnow() - timedelta(minutes=5)))
    db.session.commit()
    event_ids = sorted(db.session.execute(select(WebhookEvent.id)).scalars())
    queued = [("process_webhook", (event_id,)) for event_id in event_ids]
    with plain_client.application.app_context():
        assert sweep()["webhooks"] == 4
        assert jobs(stream) == queued
        # No worker has reached them yet: the next passes leave the queue as it is.
        assert sweep()["webhooks"] == 0 and sweep()["webhooks"] == 0
        assert jobs(stream) == queued
        leases = [sweep_lease("webhook", event_id) for event_id in event_ids]
        assert all(0 < stream.connection.pttl(lease) <= SWEEP_LEASE_MS for lease in leases)
        for lease in leases:  # the lease runs out (a job lost with Redis, say): enqueued once more
            stream.connection.pexpire(lease, 1)
        time.sleep(0.01)  # Redis (the server, or fakeredis on the wall clock) expires them
        assert sweep()["webhooks"] == 4
        assert jobs(stream) == queued + queued
    drain_jobs(plain_client.application)
    assert states() == {"processed": 4}
    assert not any(stream.connection.exists(sweep_lease("webhook", i)) for i in event_ids), (
        "a job that starts ends its row's lease"
    )


def test_an_event_that_failed_is_enqueued_by_the_next_sweep(
    shops, plain_client, stream, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from webhooks import topics

    deliver = _deliver(plain_client)
    customers(deliver, 1)
    stream.connection.delete(stream.queue("webhooks").key, drain_lease(0), WEBHOOK_STREAM)
    handlers = dict(topics.handlers())
    original = handlers["customers/create"]
    calls = {"n": 0}

    def flaky(shop, payload):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("a deadlock, say")
        return original(shop, payload)

    monkeypatch.setattr(topics, "handlers", lambda: {**handlers, "customers/create": flaky})
    with plain_client.application.app_context():
        assert sweep(stuck_after=timedelta(0))["webhooks"] == 1
    drain_jobs(plain_client.application)  # the job started (ending the lease) and failed
    assert states() == {"received": 1}
    with plain_client.application.app_context():
        assert sweep(stuck_after=timedelta(0))["webhooks"] == 1  # retried at once, as before
    drain_jobs(plain_client.application)
    assert states() == {"processed": 1}


def test_the_sweep_restarts_a_drainer_for_ids_left_on_the_stream(
    shops, plain_client, stream
) -> None:  # type: ignore[no-untyped-def]
    deliver = _deliver(plain_client)
    customers(deliver, 3)
    # Redis lost the drainer's job (and its lease expired), but not the stream.
    stream.connection.delete(stream.queue("webhooks").key, drain_lease(0))
    with plain_client.application.app_context():
        sweep()
    assert jobs(stream) == [("drain_webhooks", (0,))]
    drain_jobs(plain_client.application)
    assert states() == {"processed": 3}


def test_a_failing_event_does_not_stop_the_batch(shops, plain_client, stream, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from webhooks import topics

    deliver = _deliver(plain_client)
    customers(deliver, 3)
    handlers = dict(topics.handlers())
    original = handlers["customers/create"]
    seen = {"n": 0}

    def flaky(shop, payload):  # type: ignore[no-untyped-def]
        seen["n"] += 1
        if seen["n"] == 2:
            raise RuntimeError("a bad payload")
        return original(shop, payload)

    handlers["customers/create"] = flaky
    monkeypatch.setattr(topics, "handlers", lambda: handlers)
    drain_jobs(plain_client.application)
    assert states() == {"processed": 2, "received": 1}, "the failed one waits for the sweep's retry"
    failed = db.session.execute(
        select(WebhookEvent).where(WebhookEvent.state == "received")
    ).scalar_one()
    assert failed.attempts == 1 and "a bad payload" in (failed.error or "")


def test_an_event_that_deadlocked_with_another_batch_is_applied_again_alone(  # type: ignore[no-untyped-def]
    shops, plain_client, stream, monkeypatch
) -> None:
    from sqlalchemy.exc import OperationalError

    from webhooks import topics

    class Deadlock(Exception):
        sqlstate = "40P01"  # what psycopg's DeadlockDetected carries

    deliver = _deliver(plain_client)
    customers(deliver, 3)
    handlers = dict(topics.handlers())
    original = handlers["customers/create"]
    seen = {"n": 0}

    def deadlocking(shop, payload):  # type: ignore[no-untyped-def]
        seen["n"] += 1
        if seen["n"] == 2:  # the second event of the batch loses a deadlock, once
            raise OperationalError("SELECT ... FOR UPDATE", {}, Deadlock("deadlock detected"))
        return original(shop, payload)

    handlers["customers/create"] = deadlocking
    monkeypatch.setattr(topics, "handlers", lambda: handlers)
    drain_jobs(plain_client.application)
    assert states() == {"processed": 3}, "applied again alone, not left for the sweep"
    assert seen["n"] == 4


def test_redis_down_at_the_push_still_acknowledges_a_recorded_delivery(
    shops, plain_client, app
) -> None:  # type: ignore[no-untyped-def]
    queue = RedisQueue("redis://127.0.0.1:1/0")  # nothing listens there
    queue.connection = Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2, retry=None)
    app.extensions["tesmart_queue"] = queue
    response = _deliver(plain_client)(
        "customers/create", payloads.customer(email="down@example.com")
    )
    assert response.status_code == 200
    assert states() == {"received": 1}, "recorded, for the sweep to enqueue once Redis is back"


def test_a_connection_the_server_dropped_is_retried_once(shops, plain_client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import webhooks.receiver as receiver

    original = receiver._record
    calls = {"n": 0}

    def record(*args: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError(
                "INSERT", {}, Exception("server closed the connection"), connection_invalidated=True
            )
        return original(*args)

    monkeypatch.setattr(receiver, "_record", record)
    response = _deliver(plain_client)(
        "customers/create", payloads.customer(email="retry@example.com")
    )
    assert response.status_code == 200 and response.get_json() == {"status": "accepted"}
    assert calls["n"] == 2
    drain_jobs(plain_client.application)  # with REDIS_URL set, the app's own queue holds the job
    assert states() == {"processed": 1}


def _deliver(client):  # type: ignore[no-untyped-def]
    from tests import signing
    from tests.conftest import SHOP_DOMAINS

    def send(topic: str, payload: Any, shop: str = "us") -> Any:
        body = signing.webhook_body(payload)
        return client.post(
            f"/webhooks/{topic}",
            data=body,
            headers=signing.webhook_headers(topic, body, SHOP_DOMAINS[shop]),
        )

    return send


@pytest.mark.postgres
@pytest.mark.skipif(
    not TEST_DATABASE_URL.startswith("postgres"), reason="needs PostgreSQL (DATABASE_URL)"
)
# The server hangs up on a pooled connection: it must be a real one.
@pytest.mark.commits
def test_a_server_hang_up_after_the_checkout_check_is_retried_on_a_fresh_connection(
    shops, plain_client, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The race the checkout check cannot see: the server goes away between the check and the
    INSERT. The receiver's statement fails on the dead connection, which is thrown away, and the
    idempotent insert runs again on a new one."""
    import psycopg

    import plugin.connections
    from webhooks.receiver import _own_connection

    deliver = _deliver(plain_client)
    customers(deliver, 1)  # the receiver has its connection now
    own = _own_connection(db.engine)
    pid = own.get().info.backend_pid
    with psycopg.connect(TEST_DATABASE_URL, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    monkeypatch.setattr(plugin.connections, "server_has_hung_up", lambda _conn: False)  # the race
    customers(deliver, 1, start=1)
    assert own.get().info.backend_pid != pid, "a new connection took the dead one's place"
    drain_jobs(plain_client.application)
    db.session.remove()
    assert states() == {"processed": 2}


def test_an_event_whose_shop_was_erased_meanwhile_is_dropped(shops, plain_client, app) -> None:  # type: ignore[no-untyped-def]
    """No foreign key ties an event to its shop (migration 0002): a delivery recorded just as
    shop/redact erased the shop is deleted by its job, not retried against a shop that is gone."""
    from plugin.jobs import process_webhook
    from plugin.models import Shop

    deliver = _deliver(plain_client)
    customers(deliver, 1)
    event = db.session.execute(select(WebhookEvent)).scalar_one()
    assert db.session.get(Shop, 999_999) is None
    event.shop_id = 999_999  # as if its shop had been erased after the receiver found it
    event.state = "received"
    db.session.commit()
    assert process_webhook(event.id) == "skipped"
    db.session.expire_all()
    assert db.session.execute(select(func.count()).select_from(WebhookEvent)).scalar() == 0


def test_a_stopping_worker_hands_the_stream_on_at_once(
    shops, plain_client, stream, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """SIGTERM (a deploy) sets stop_draining: the drainer finishes the event in hand, puts the ids
    it had taken back at the head of the stream, in order, and queues a successor."""
    monkeypatch.setattr(plugin.jobs, "DRAIN_BATCH", 3)
    deliver = _deliver(plain_client)
    customers(deliver, 5)
    stream.connection.delete(stream.queue("webhooks").key)
    waiting = [int(raw) for raw in stream.connection.lrange(WEBHOOK_STREAM, 0, -1)]
    plugin.jobs.stop_draining.set()
    try:
        with plain_client.application.app_context():
            assert drain_webhooks(0) == 1
    finally:
        plugin.jobs.stop_draining.clear()
    assert [int(raw) for raw in stream.connection.lrange(WEBHOOK_STREAM, 0, -1)] == waiting[1:]
    assert ("drain_webhooks", (0,)) in jobs(stream)
    drain_jobs(plain_client.application)
    assert states() == {"processed": 5}
