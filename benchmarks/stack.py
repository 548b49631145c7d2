"""The production set-up, started and stopped by the benchmark itself, on loopback only.

PostgreSQL (a dedicated database, dropped and recreated each run), one Redis database (flushed),
gunicorn serving ``plugin:create_app()``, rq workers (``flask --app plugin worker``) and the fake
Admin API served over loopback. Every child runs in its own process group and is stopped in
``Stack.close`` (SIGTERM, then SIGKILL), whatever happened before.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"
API_KEY = "bench-client-id"
API_SECRET = "bench-client-secret-0123456789abcdef"
SHOP_DOMAINS = {
    "us": "tesmart-us.myshopify.com",
    "eu": "tesmart-eu.myshopify.com",
    "jp": "tesmart-jp.myshopify.com",
    "kr": "tesmart-kr.myshopify.com",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def wait_for_port(
    port: int, timeout: float = 20.0, process: subprocess.Popen[Any] | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(
                f"process {process.args!r} exited with {process.returncode} before listening"
            )
        try:
            with socket.create_connection((LOOPBACK, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {LOOPBACK}:{port} after {timeout}s")


def ensure_postgres() -> None:
    """Start the local cluster the way .ci/run does when it is not running."""
    if (
        shutil.which("pg_isready")
        and subprocess.run(
            ["pg_isready", "-h", LOOPBACK, "-p", "5432", "-q"], check=False
        ).returncode
        == 0
    ):
        return
    versions = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []
    if not versions:
        raise RuntimeError(
            "PostgreSQL is not running on 127.0.0.1:5432 and no cluster is installed"
        )
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", versions[0], "main", "start"], check=False
    )
    for _ in range(30):
        if (
            subprocess.run(
                ["pg_isready", "-h", LOOPBACK, "-p", "5432", "-q"], check=False
            ).returncode
            == 0
        ):
            return
        time.sleep(1)
    raise RuntimeError("PostgreSQL did not start")


def ensure_redis() -> None:
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        Redis(host=LOOPBACK, port=6379, socket_connect_timeout=0.5).ping()
        return
    except RedisError:
        pass
    Path("/var/lib/redis").mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "redis-server",
            "--daemonize",
            "yes",
            "--bind",
            LOOPBACK,
            "--port",
            "6379",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            "/var/lib/redis",
        ],
        check=True,
    )
    for _ in range(30):
        try:
            Redis(host=LOOPBACK, port=6379, socket_connect_timeout=0.5).ping()
            return
        except RedisError:
            time.sleep(0.2)
    raise RuntimeError("Redis did not start")


def recreate_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"postgresql://postgres@{LOOPBACK}/postgres", autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> "
            "pg_backend_pid()",
            (name,),
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"postgresql://postgres@{LOOPBACK}/postgres", autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> "
            "pg_backend_pid()",
            (name,),
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


@dataclass
class Child:
    name: str
    process: subprocess.Popen[Any]
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid


def stop(child: Child, timeout: float = 10.0) -> None:
    """SIGTERM the child's process group, then SIGKILL what is left."""
    if child.process.poll() is None:
        with suppress(ProcessLookupError):
            os.killpg(child.process.pid, signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            child.process.wait(timeout)
    with suppress(ProcessLookupError):
        os.killpg(child.process.pid, signal.SIGKILL)  # stragglers (gunicorn's workers)
    if child.process.poll() is None:
        child.process.wait(5)


@dataclass
class Stack:
    """The app's processes and their environment; a context manager that always cleans up."""

    database: str = "tesmart_bench"
    redis_db: int = 14
    web_workers: int = 5
    log_dir: Path = field(default_factory=lambda: ROOT / "instance" / "bench-logs")
    children: list[Child] = field(default_factory=list)
    fake_port: int = 0
    web_port: int = 0
    fake_latency_ms: float = 0.0

    @property
    def database_url(self) -> str:
        return f"postgresql://postgres@{LOOPBACK}/{self.database}"

    @property
    def redis_url(self) -> str:
        return f"redis://{LOOPBACK}:6379/{self.redis_db}"

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("FLASK_DEBUG", "DEV_MODE", "DATABASE_URL", "REDIS_URL")
        }
        env.update(
            {
                "SHOPIFY_API_KEY": API_KEY,
                "SHOPIFY_API_SECRET": API_SECRET,
                "APP_URL": "https://members.bench.test",
                "TOKEN_ENCRYPTION_KEY": "bench-token-encryption-key-0123456789",
                "DATABASE_URL": self.database_url,
                "REDIS_URL": self.redis_url,
                "SHOPIFY_ADMIN_API": "fake",
                "FAKE_ADMIN_URL": f"http://{LOOPBACK}:{self.fake_port}" if self.fake_port else "",
                "PYTHONUNBUFFERED": "1",
                "PYTHONPATH": str(ROOT),
            }
        )
        env.update(extra)
        return env

    # --- lifecycle -----------------------------------------------------------------------------

    def __enter__(self) -> Stack:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        ensure_postgres()
        ensure_redis()
        recreate_database(self.database)
        self.flush_redis()
        self.migrate()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        for child in reversed(self.children):
            stop(child)
        self.children.clear()
        try:
            drop_database(self.database)
        except Exception as exc:  # the run's figures matter more than this cleanup
            print(f"warning: could not drop {self.database}: {exc}", file=sys.stderr)

    def spawn(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> Child:
        log_path = self.log_dir / f"{name}.log"
        handle = log_path.open("ab")
        process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env or self.env(),
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as one
        )
        handle.close()
        child = Child(name, process, log_path)
        self.children.append(child)
        return child

    def stop_child(self, child: Child) -> None:
        stop(child)
        if child in self.children:
            self.children.remove(child)

    def flask(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "flask", "--app", "plugin", *args],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            check=check,
            timeout=120,
        )

    def migrate(self) -> None:
        self.flask("db", "upgrade", "heads")

    def flush_redis(self) -> None:
        from redis import Redis

        Redis.from_url(self.redis_url).flushdb()

    # --- processes -----------------------------------------------------------------------------

    def start_fake(self, latency_ms: float = 0.0) -> Child:
        self.fake_port = free_port()
        self.fake_latency_ms = latency_ms
        child = self.spawn(
            "fake-admin",
            [
                sys.executable,
                "-m",
                "benchmarks.fake_server",
                "--port",
                str(self.fake_port),
                "--latency-ms",
                str(latency_ms),
            ],
        )
        wait_for_port(self.fake_port, process=child.process)
        return child

    def gunicorn_argv(self, app: str, port: int) -> list[str]:
        # The Procfile's settings (sync workers, access log on stdout), bound to loopback.
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(self.web_workers),
            "--bind",
            f"{LOOPBACK}:{port}",
            "--access-logfile",
            "-",
            "--backlog",
            "2048",
            app,
        ]

    def start_web(self, app: str = "plugin:create_app()", name: str = "web") -> Child:
        port = free_port()
        child = self.spawn(name, self.gunicorn_argv(app, port))
        wait_for_port(port, process=child.process)
        self.web_port = port
        return child

    def start_workers(self, count: int, queues: str = "webhooks,outbox,default") -> list[Child]:
        workers = [
            self.spawn(
                f"worker-{i}",
                [sys.executable, "-m", "flask", "--app", "plugin", "worker", "--queues", queues],
            )
            for i in range(count)
        ]
        return workers

    def stop_all(self, children: list[Child]) -> None:
        for child in children:
            self.stop_child(child)


def gunicorn_worker_pids(master: Child) -> list[int]:
    """The pids of a gunicorn master's worker processes (its children)."""
    path = Path(f"/proc/{master.pid}/task/{master.pid}/children")
    try:
        return [int(p) for p in path.read_text().split()]
    except OSError:
        return []


def rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


@contextmanager
def app_context(stack: Stack) -> Iterator[Any]:
    """The app in this process (for seeding and counting), configured like the children."""
    from plugin import create_app

    env = stack.env()
    config = {
        k: env[k]
        for k in (
            "SHOPIFY_API_KEY",
            "SHOPIFY_API_SECRET",
            "APP_URL",
            "TOKEN_ENCRYPTION_KEY",
            "DATABASE_URL",
            "REDIS_URL",
            "SHOPIFY_ADMIN_API",
            "FAKE_ADMIN_URL",
        )
    }
    app = create_app(config)
    with app.app_context():
        yield app
        from plugin.extensions import db

        db.session.remove()
        db.engine.dispose()
