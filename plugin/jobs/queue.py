"""The job queue: rq on Redis in production, in-process in the embedded default.

Callers enqueue *after* their transaction commits and pass ids, never objects. The durable
record of pending work is always a database row (a webhook event in state ``received``, an
outbox item in state ``pending``), so a lost enqueue (Redis down, a crash between commit and
enqueue) is healed by the periodic sweep, never lost.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Flask, current_app

log = logging.getLogger(__name__)

QUEUES = ("webhooks", "outbox", "default")


class JobQueue(ABC):
    """What the app needs of a queue: enqueue now, or later."""

    @abstractmethod
    def enqueue(
        self, func: Callable[..., Any], *args: Any, queue: str = "default", job_id: str | None = None
    ) -> bool:
        """Run ``func(*args)`` soon; False when it could not be queued (the sweep will)."""

    @abstractmethod
    def enqueue_in(
        self, delay: timedelta, func: Callable[..., Any], *args: Any, queue: str = "default"
    ) -> bool:
        """Run ``func(*args)`` after ``delay``; False when the queue cannot schedule it."""

    @abstractmethod
    def status(self) -> str:
        """``in-process``, ``ok`` or ``error``, for /healthz."""


class InProcessQueue(JobQueue):
    """Runs a job right away in this process; delayed work is left to the sweep."""

    def enqueue(self, func, *args, queue="default", job_id=None):  # type: ignore[no-untyped-def]
        try:
            func(*args)
        except Exception:  # a job's failure must not fail the request that committed it
            log.exception("in-process job %s%r failed; the sweep will retry it", func.__name__, args)
        return True

    def enqueue_in(self, delay, func, *args, queue="default"):  # type: ignore[no-untyped-def]
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

    def enqueue(self, func, *args, queue="default", job_id=None):  # type: ignore[no-untyped-def]
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

    def enqueue_in(self, delay, func, *args, queue="default"):  # type: ignore[no-untyped-def]
        from redis.exceptions import RedisError

        try:
            self.queue(queue).enqueue_in(delay, func, *args)
        except RedisError:
            return False
        return True

    def status(self) -> str:
        from redis.exceptions import RedisError

        try:
            self.connection.ping()
        except RedisError:
            return "error"
        return "ok"


def init_queue(app: Flask) -> None:
    url = app.config.get("REDIS_URL")
    app.extensions["tesmart_queue"] = RedisQueue(url) if url else InProcessQueue()


def job_queue() -> JobQueue:
    return current_app.extensions["tesmart_queue"]
