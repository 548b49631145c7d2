"""The job queue: rq on Redis in production, in-process in the embedded default.

Callers enqueue *after* their transaction commits and pass ids, never objects. The durable
record of pending work is always a database row (a webhook event in state ``received``, an
outbox item in state ``pending``), so a lost enqueue (Redis down, a crash between commit and
enqueue) is healed by the periodic sweep, never lost.

Webhook deliveries take a lighter road than other jobs. The receiver answers Shopify within a few
milliseconds, so it pushes the recorded event's id onto one Redis list (one command, like the
least a correct endpoint can do) instead of creating an rq job per delivery; rq jobs
``drain_webhooks(slot)`` pop the list in batches. A drainer holds a lease key per slot. The push
that finds the list empty starts slot 0 unless a drainer holds it (that drainer re-reads the list
before it lets go); a drainer that sees a backlog starts the next slot, up to
``WEBHOOK_DRAINERS``. An id popped by a drainer that then dies is not lost: its event row is still
``received`` and the sweep runs it; ids left on the list with no drainer (one killed while holding
its lease) are picked up by the sweep's ``kick_drain`` once the lease has expired.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from contextlib import suppress
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app

from plugin.database.reads import end_reading

log = logging.getLogger(__name__)

QUEUES = ("webhooks", "outbox", "default")

WEBHOOK_STREAM = "tesmart:webhooks:ready"
DRAIN_LEASE_MS = 60_000  # a dead drainer's slot is free again after this (the sweep covers the gap)
WEBHOOK_DRAINERS = 4  # drainers at once, at most: more than the workers a small deployment runs
# A row the sweep enqueued is not enqueued again by the sweep for this long: a backlog the workers
# have not reached yet stays one job per row instead of growing by one per pass (rq keeps
# duplicates). A job lost meanwhile (Redis flushed, a worker killed holding it) is enqueued again
# once the lease has run out.
SWEEP_LEASE_MS = 300_000


# The jobs package, whose ``process_webhook`` and ``drain_webhooks`` the queue starts by itself: it
# installs itself at app start (``plugin.jobs.init_jobs``), so this module, which the jobs and the
# receiver import, imports no job. Read at each call, as an import inside the method would.
jobs: Any = None  # the plugin.jobs module, once installed


def drain_lease(slot: int) -> str:
    return f"tesmart:webhooks:drainer:{slot}"


def sweep_lease(kind: str, row_id: int) -> str:
    return f"tesmart:swept:{kind}:{row_id}"


class JobQueue(ABC):
    """What the app needs of a queue: enqueue now, or later."""

    @abstractmethod
    def enqueue(
        self,
        func: Callable[..., Any],
        *args: Any,
        queue: str = "default",
        job_id: str | None = None,
    ) -> bool:
        """Run ``func(*args)`` soon; False when it could not be queued (the sweep will)."""

    @abstractmethod
    def enqueue_in(
        self, delay: timedelta, func: Callable[..., Any], *args: Any, queue: str = "default"
    ) -> bool:
        """Run ``func(*args)`` after ``delay``; False when the queue cannot schedule it."""

    def enqueue_webhook(self, event_id: int) -> bool:
        """Process a recorded delivery soon; False when it could not be queued (the sweep will)."""
        return self.enqueue(
            jobs.process_webhook, event_id, queue="webhooks", job_id=f"webhook-{event_id}"
        )

    def sweep_claim(self, kind: str, row_ids: list[int]) -> list[int]:
        """The rows of ``row_ids`` the sweep should enqueue now: those it has not enqueued within
        ``SWEEP_LEASE_MS``. A queue that runs jobs at once keeps no backlog: all of them."""
        return list(row_ids)

    def sweep_release(self, kind: str, row_id: int) -> None:
        """The row's job has started: a later pass may enqueue the row again if it stays due
        (a failure recorded on it, a worker killed while running it)."""
        return None

    def enqueue_outbox(self, item_ids: list[int], later: list[tuple[int, datetime]]) -> None:
        """Perform these outbox items soon, and ``later`` ones at their moment (the sweep runs
        any that cannot be queued)."""
        from plugin import clock

        for item_id in item_ids:
            self.enqueue(jobs.run_outbox_item, item_id, queue="outbox", job_id=f"outbox-{item_id}")
        now = clock.now()
        for item_id, due in later:
            self.enqueue_in(
                max(due - now, timedelta(0)), jobs.run_outbox_item, item_id, queue="outbox"
            )

    @abstractmethod
    def status(self) -> str:
        """``in-process``, ``ok`` or ``error``, for /healthz."""


class InProcessQueue(JobQueue):
    """Runs a job right away in this process; delayed work is left to the sweep."""

    def enqueue(self, func, *args, queue="default", job_id=None):
        end_reading()  # the job runs here as in a worker: in transactions of its own
        try:
            func(*args)
        except Exception:  # a job's failure must not fail the request that committed it
            log.exception(
                "in-process job %s%r failed; the sweep will retry it", func.__name__, args
            )
        return True

    def enqueue_in(self, delay, func, *args, queue="default"):
        return False

    def status(self) -> str:
        return "in-process"


class RedisQueue(JobQueue):
    def __init__(self, url: str) -> None:
        from redis import Redis

        self.connection = Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=2)
        self._queues: dict[str, Any] = {}

    def queue(self, name: str) -> Any:
        from rq import Queue

        if name not in self._queues:
            self._queues[name] = Queue(name, connection=self.connection)
        return self._queues[name]

    def enqueue(self, func, *args, queue="default", job_id=None):
        from redis.exceptions import RedisError

        try:
            # One pipeline, one round trip (rq alone sends two).
            pipeline = self.connection.pipeline()
            self.queue(queue).enqueue(
                func, *args, job_id=job_id, failure_ttl=7 * 24 * 3600, pipeline=pipeline
            )
            pipeline.execute()
        except RedisError:
            log.warning("enqueue of %s%r failed; the sweep will enqueue it", func.__name__, args)
            return False
        return True

    def enqueue_in(self, delay, func, *args, queue="default"):
        from redis.exceptions import RedisError

        try:
            self.queue(queue).enqueue_in(delay, func, *args)
        except RedisError:
            return False
        return True

    def sweep_claim(self, kind: str, row_ids: list[int]) -> list[int]:
        """One SET NX PX per row, in one round trip: a row whose lease is still held was enqueued
        by an earlier pass and is waiting in its queue. Without Redis the enqueue fails anyway."""
        from redis.exceptions import RedisError

        if not row_ids:
            return []
        try:
            pipeline = self.connection.pipeline(transaction=False)
            for row_id in row_ids:
                pipeline.set(sweep_lease(kind, row_id), "1", nx=True, px=SWEEP_LEASE_MS)
            taken = pipeline.execute()
        except RedisError:
            return list(row_ids)
        return [row_id for row_id, ok in zip(row_ids, taken, strict=True) if ok]

    def sweep_release(self, kind: str, row_id: int) -> None:
        from redis.exceptions import RedisError

        with suppress(RedisError):
            self.connection.delete(sweep_lease(kind, row_id))

    def enqueue_outbox(self, item_ids: list[int], later: list[tuple[int, datetime]]) -> None:
        from redis.exceptions import RedisError

        try:  # a commit's items in one round trip, up to OUTBOX_JOB_ITEMS of them per job
            pipeline = self.connection.pipeline()
            rq_queue = self.queue("outbox")
            for chunk in _chunks(item_ids):
                if len(chunk) == 1:
                    rq_queue.enqueue(
                        jobs.run_outbox_item,
                        chunk[0],
                        job_id=f"outbox-{chunk[0]}",
                        failure_ttl=7 * 24 * 3600,
                        pipeline=pipeline,
                    )
                else:
                    rq_queue.enqueue(
                        jobs.run_outbox_items,
                        chunk,
                        failure_ttl=7 * 24 * 3600,
                        job_timeout=OUTBOX_JOB_SECONDS,
                        pipeline=pipeline,
                    )
            due_at: dict[datetime, list[int]] = {}
            for item_id, due in later:
                due_at.setdefault(due, []).append(item_id)
            for due, ids in due_at.items():
                for chunk in _chunks(ids):
                    if len(chunk) == 1:
                        rq_queue.enqueue_at(due, jobs.run_outbox_item, chunk[0], pipeline=pipeline)
                    else:
                        rq_queue.enqueue_at(
                            due,
                            jobs.run_outbox_items,
                            chunk,
                            job_timeout=OUTBOX_JOB_SECONDS,
                            pipeline=pipeline,
                        )
            pipeline.execute()
        except RedisError:
            log.warning(
                "enqueue of %s outbox items failed; the sweep will enqueue them",
                len(item_ids) + len(later),
            )

    # --- the webhook stream --------------------------------------------------------------------

    def enqueue_webhook(self, event_id: int) -> bool:
        from redis.exceptions import RedisError

        try:
            # One command, like the least a correct receiver can do. Only the push that finds the
            # stream empty starts a drainer: ids behind others are reached by whoever takes those.
            if self.connection.rpush(WEBHOOK_STREAM, event_id) > 1:
                return True
            leased = self._take_lease(0)
        except RedisError:
            log.warning("enqueue of webhook event %s failed; the sweep will enqueue it", event_id)
            return False
        # Not leased: a drainer holds slot 0, and re-reads the stream before letting go.
        return self._start_drainer(0) if leased else True

    def take_webhooks(self, slot: int, count: int) -> list[int]:
        """Up to ``count`` event ids, oldest first, renewing this drainer's lease; when a backlog
        is left behind, the next slot's drainer is started too."""
        pipeline = self.connection.pipeline(transaction=False)
        pipeline.lpop(WEBHOOK_STREAM, count)
        pipeline.llen(WEBHOOK_STREAM)
        pipeline.pexpire(drain_lease(slot), DRAIN_LEASE_MS)
        ids, left, _ = pipeline.execute()
        following = slot + 1
        if left > count and following < WEBHOOK_DRAINERS and self._take_lease(following):
            self._start_drainer(following)
        return [int(raw) for raw in ids or ()]

    def give_back(self, event_ids: list[int]) -> None:
        """Ids a stopping drainer took and did not reach: back to the head, in their order."""
        if event_ids:
            self.connection.lpush(WEBHOOK_STREAM, *reversed(event_ids))

    def release_drain(self, slot: int) -> bool:
        """Give the slot up when the stream is empty; False when ids arrived meanwhile and the
        lease was taken back (a receiver that pushed while we held it started nobody)."""
        self.connection.delete(drain_lease(slot))
        if not self.connection.llen(WEBHOOK_STREAM):
            return True
        return not self._take_lease(slot)

    def hand_over(self, slot: int) -> None:
        """A drainer that ran its time: a successor for the same slot queues behind other jobs."""
        self.connection.pexpire(drain_lease(slot), DRAIN_LEASE_MS)
        self._start_drainer(slot)

    def kick_drain(self) -> bool:
        """Start slot 0 when ids wait and nobody drains them (after Redis lost a job, say)."""
        if self.connection.llen(WEBHOOK_STREAM) and self._take_lease(0):
            return self._start_drainer(0)
        return False

    def _take_lease(self, slot: int) -> bool:
        return bool(self.connection.set(drain_lease(slot), "1", nx=True, px=DRAIN_LEASE_MS))

    def _start_drainer(self, slot: int) -> bool:
        """Queue ``drain_webhooks(slot)`` for the lease this process holds; when it cannot be
        queued, the lease goes too, so the next push or the sweep can start one."""
        from redis.exceptions import RedisError

        if self.enqueue(jobs.drain_webhooks, slot, queue="webhooks"):
            return True
        with suppress(RedisError):
            self.connection.delete(drain_lease(slot))
        return False

    def status(self) -> str:
        from redis.exceptions import RedisError

        try:
            self.connection.ping()
        except RedisError:
            return "error"
        return "ok"


# Outbox items one job runs at most: a drained batch's commit writes one Flow trigger per paid
# order, and an rq job costs about as much CPU as the item it runs; the items still run one after
# the other, each in its own transaction, as their own jobs would.
OUTBOX_JOB_ITEMS = 50
OUTBOX_JOB_SECONDS = 900  # a slow Admin API on every item; items not reached wait for the sweep


def _chunks(item_ids: list[int]) -> list[list[int]]:
    return [
        item_ids[start : start + OUTBOX_JOB_ITEMS]
        for start in range(0, len(item_ids), OUTBOX_JOB_ITEMS)
    ]


def init_queue(app: Flask) -> None:
    url = app.config.get("REDIS_URL")
    app.extensions["tesmart_queue"] = RedisQueue(url) if url else InProcessQueue()


def job_queue() -> JobQueue:
    return current_app.extensions["tesmart_queue"]
