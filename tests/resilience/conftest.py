"""Fault injection: real rq worker processes, a Redis server of our own, a served fake Admin API.

Everything listens on 127.0.0.1 only, every loop is bounded in time and count, and every process
started here runs in its own process group and is stopped in a ``finally``.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests import signing
from tests.conftest import SHOP_DOMAINS, TEST_DATABASE_URL, TEST_REDIS_URL

ROOT = Path(__file__).resolve().parents[2]
FULL = os.environ.get("RESILIENCE_FULL", "") not in ("", "0")

needs_postgres_and_redis = pytest.mark.skipif(
    not (TEST_DATABASE_URL.startswith("postgres") and TEST_REDIS_URL),
    reason=(
        "needs PostgreSQL and Redis shared with worker processes: set DATABASE_URL and REDIS_URL"
    ),
)
needs_redis_server = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="needs the redis-server binary"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(condition: Callable[[], bool], timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def stop_process(process: subprocess.Popen[Any], timeout: float = 5.0) -> None:
    if process.poll() is None:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    with suppress(subprocess.TimeoutExpired):
        process.wait(timeout)


def app_env(database_url: str, redis_url: str, fake_url: str = "") -> dict[str, str]:
    """The environment of a worker process configured like the suite's app."""
    # Production mode with the fake Admin API: dev mode refuses a real secret and PostgreSQL.
    env = {k: v for k, v in os.environ.items() if k not in ("FLASK_DEBUG", "DEV_MODE")}
    env.update(
        {
            "SHOPIFY_API_KEY": signing.API_KEY,
            "SHOPIFY_API_SECRET": signing.API_SECRET,
            "APP_URL": "https://members.test",
            "TOKEN_ENCRYPTION_KEY": "test-token-encryption-key-0123456789",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "SHOPIFY_ADMIN_API": "fake",
            "FAKE_ADMIN_URL": fake_url,
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


class Workers:
    """rq worker processes (``flask --app plugin worker``) that a test can SIGKILL and replace."""

    def __init__(
        self, env: dict[str, str], log_dir: Path, queues: str = "webhooks,outbox,default"
    ) -> None:
        self.env = env
        self.log_dir = log_dir
        self.queues = queues
        self.processes: list[subprocess.Popen[Any]] = []
        self.started = 0
        self.killed = 0

    def start(self, count: int = 1) -> None:
        for _ in range(count):
            self.started += 1
            log = (self.log_dir / f"worker-{self.started}.log").open("wb")
            self.processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "flask",
                        "--app",
                        "plugin",
                        "worker",
                        "--queues",
                        self.queues,
                    ],
                    cwd=ROOT,
                    env=self.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
            log.close()

    def kill_one(self, rng: random.Random) -> None:
        """SIGKILL a running worker, wherever it is (mid-job, mid-commit, mid-call), and replace
        it."""
        alive = [p for p in self.processes if p.poll() is None]
        if not alive:
            return
        victim = rng.choice(alive)
        with suppress(ProcessLookupError):
            os.killpg(victim.pid, signal.SIGKILL)
        victim.wait(5)
        self.processes.remove(victim)
        self.killed += 1
        self.start()

    def stop(self) -> None:
        # Disposable: SIGKILL at once (a warm shutdown would wait for the blocking dequeue).
        for process in self.processes:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            with suppress(subprocess.TimeoutExpired):
                process.wait(5)
        self.processes.clear()


@pytest.fixture()
def workers(app: Flask, database_url: str, tmp_path: Path) -> Iterator[Callable[..., Workers]]:
    created: list[Workers] = []

    def make(
        fake_url: str = "", queues: str = "webhooks,outbox,default", redis_url: str = TEST_REDIS_URL
    ) -> Workers:
        pool = Workers(app_env(database_url, redis_url, fake_url), tmp_path, queues)
        created.append(pool)
        return pool

    try:
        yield make
    finally:
        for pool in created:
            pool.stop()
        with suppress(Exception):  # forget the dead workers' registrations and queued jobs
            app.extensions["tesmart_queue"].connection.flushdb()


@pytest.fixture()
def plain_client(app: Flask) -> FlaskClient:
    """A client that does *not* run jobs itself: the worker processes do."""
    return FlaskClient(app, use_cookies=False)


def deliver_with(
    client: FlaskClient,
    topic: str,
    payload: Any,
    shop: str = "us",
    *,
    webhook_id: str | None = None,
    secret: str = signing.API_SECRET,
    **headers: str,
) -> Any:
    domain = SHOP_DOMAINS.get(shop, shop)
    body = signing.webhook_body(payload)
    return client.post(
        f"/webhooks/{topic}",
        data=body,
        headers=signing.webhook_headers(
            topic, body, domain, secret=secret, webhook_id=webhook_id, **headers
        ),
    )


def sweep_until(app: Flask, done: Callable[[], bool], timeout: float) -> bool:
    """Run the sweep (as ``flask clock`` would, without the 30 s grace) until ``done``."""
    from plugin.extensions import db
    from plugin.jobs import sweep

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.remove()
        if done():
            return True
        sweep(stuck_after=timedelta(0))
        db.session.remove()
        if done():  # what the sweep enqueued may be done already (jobs drained in-process)
            return True
        db.session.remove()
        time.sleep(1.0)
    db.session.remove()
    return done()


class RedisServer:
    """A redis-server of the test's own on a free loopback port, to stop and start at will
    (the shared one serves other suites)."""

    def __init__(self, log_dir: Path) -> None:
        self.port = free_port()
        self.log_dir = log_dir
        self.process: subprocess.Popen[Any] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        log = (self.log_dir / "redis.log").open("ab")
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.log_dir),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        if not wait_until(self._answers, 10):
            raise RuntimeError("redis-server did not start")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        """Redis dies (SIGKILL, no persistence: what was queued is gone)."""
        if self.process is not None:
            stop_process(self.process)
            self.process = None

    def pause(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGCONT)


@pytest.fixture()
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        if server.process is not None:
            with suppress(ProcessLookupError):
                os.kill(server.process.pid, signal.SIGCONT)
        server.kill()


class ServedFake:
    def __init__(self, port: int, process: subprocess.Popen[Any]) -> None:
        self.port = port
        self.process = process

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stats(self) -> dict[str, Any]:
        import httpx

        return httpx.get(f"{self.url}/_bench/stats", timeout=5).json()

    def add_customers(self, shop: str, customers: list[tuple[str, str]]) -> None:
        import httpx

        body = {"shop": shop, "customers": [{"id": c, "email": e} for c, e in customers]}
        httpx.post(f"{self.url}/_bench/customers", json=body, timeout=30).raise_for_status()

    def codes(self, shop: str) -> list[str]:
        import httpx

        return httpx.get(f"{self.url}/_bench/codes", params={"shop": shop}, timeout=5).json()[
            "codes"
        ]


@pytest.fixture()
def served_fake(tmp_path: Path) -> Iterator[ServedFake]:
    """The fake Admin API in a process of its own, shared by every worker (and surviving them)."""
    port = free_port()
    log = (tmp_path / "fake.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.fake_server", "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    try:

        def listening() -> bool:
            with suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
            return False

        if not wait_until(listening, 20):
            raise RuntimeError("the fake Admin API did not start")
        yield ServedFake(port, process)
    finally:
        stop_process(process)
