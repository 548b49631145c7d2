"""Fixtures shared by the suite.

The database is migrated once per session (Alembic, as in production). Each test runs inside one
transaction that is rolled back at its end (``OuterTransaction``); a test marked ``commits`` (or
``browser``, ``resilience``) commits for real and every table is emptied after it instead.
``DATABASE_URL``/``REDIS_URL`` in the environment switch the whole suite to PostgreSQL and Redis;
jobs then go through real rq queues and the ``client`` drains them with a burst worker after every
request, so a test reads the same on both set-ups.

``TESMART_TEST_NOW`` (an ISO instant with an offset, e.g. ``2027-12-31T23:30:00Z``) runs the whole
session at that instant: time-machine travels there before the first test and lets the clock tick
on, so CI can prove the suite green on dates other than today (.ci/run).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from plugin.clock import MONOTONIC_EXTENSION, SLEEP_EXTENSION
from tests import signing

# Under pytest-xdist every worker gets its own PostgreSQL database and Redis db, so parallel
# workers never empty each other's tables or queues.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
WORKER_INDEX = int(WORKER[2:]) if WORKER.startswith("gw") and WORKER[2:].isdigit() else 0


def _per_worker_database(url: str) -> str:
    if not url or not WORKER or not url.startswith("postgres"):
        return url
    base, _, name = url.rpartition("/")
    return f"{base}/{name.split('?')[0]}_{WORKER}"


def _per_worker_redis(url: str) -> str:
    if not url or not WORKER:
        return url
    base, _, number = url.rpartition("/")
    return f"{base}/{(int(number or 0) - WORKER_INDEX) % 16}" if number.isdigit() else url


def _travel_instant(value: str) -> Any:
    from datetime import datetime

    instant = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if instant.tzinfo is None:
        raise pytest.UsageError(f"TESMART_TEST_NOW needs an offset (e.g. Z): {value!r}")
    return instant


_TRAVELLER: Any = None


def pytest_configure(config: pytest.Config) -> None:
    global _TRAVELLER
    value = os.environ.get("TESMART_TEST_NOW", "").strip()
    if value and _TRAVELLER is None:
        import time_machine

        _TRAVELLER = time_machine.travel(_travel_instant(value), tick=True)
        _TRAVELLER.start()


def pytest_unconfigure(config: pytest.Config) -> None:
    global _TRAVELLER
    if _TRAVELLER is not None:
        _TRAVELLER.stop()
        _TRAVELLER = None


# The suite runs under pytest-xdist's worksteal (pyproject's addopts): each worker starts on its
# half of the list and, once done, takes the second half of what another still has queued. So the
# slow modules come first (a browser test takes seconds, most others milliseconds): the tests left
# to share out at the end are short ones, and the two workers finish together. Each module stays
# in one piece, so its module fixtures (a browser's live server, the demo) are built once.
SLOW_FIRST = ("browser", "slow", "resilience")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        return next(
            (i for i, name in enumerate(SLOW_FIRST) if item.get_closest_marker(name)),
            len(SLOW_FIRST),
        )

    modules: dict[str, list[pytest.Item]] = {}
    for item in items:
        modules.setdefault(item.nodeid.split("::")[0], []).append(item)
    ordered = sorted(modules.values(), key=lambda tests: min(rank(t) for t in tests))
    items[:] = [item for tests in ordered for item in tests]


def pytest_report_header(config: pytest.Config) -> str:
    from plugin import clock

    travelled = " (TESMART_TEST_NOW)" if _TRAVELLER is not None else ""
    return f"now: {clock.now().isoformat(timespec='seconds')}{travelled}"


# Dev mode's local mailbox (plugin.mail.mailbox) writes here, never under the repository.
TEST_MAILBOX = tempfile.TemporaryDirectory(prefix="tesmart-mail-")
TEST_DATABASE_URL = _per_worker_database(os.environ.get("DATABASE_URL") or "")
TEST_REDIS_URL = _per_worker_redis(os.environ.get("REDIS_URL") or "")
SHOP_DOMAINS = {
    "us": "tesmart-us.myshopify.com",
    "eu": "tesmart-eu.myshopify.com",
    "jp": "tesmart-jp.myshopify.com",
    "kr": "tesmart-kr.myshopify.com",
}


def base_config(database_url: str) -> dict[str, Any]:
    return {
        "TESTING": True,
        "DEV_MODE": "1",
        "SHOPIFY_API_KEY": signing.API_KEY,
        "SHOPIFY_API_SECRET": signing.API_SECRET,
        "SHOPIFY_OLD_API_SECRET": "",
        "APP_URL": "https://members.test",
        "DATABASE_URL": database_url,
        "REDIS_URL": TEST_REDIS_URL,
        "SHOPIFY_ADMIN_API": "fake",
        "FAKE_ADMIN_URL": "",
        "TOKEN_ENCRYPTION_KEY": "test-token-encryption-key-0123456789",
        "DEV_MAILBOX": TEST_MAILBOX.name,
    }


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    if TEST_DATABASE_URL:
        url = TEST_DATABASE_URL
        _reset_postgres(url)
        tmp = None
    else:
        tmp = tempfile.TemporaryDirectory()
        url = f"sqlite:///{Path(tmp.name) / 'test.sqlite3'}"
    from flask_migrate import upgrade

    from plugin import create_app

    app = create_app(base_config(url))
    with app.app_context():
        upgrade(revision="heads")
    yield url
    if tmp is not None:
        tmp.cleanup()


def _reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from plugin.settings import Settings

    driver_url = Settings.load({**base_config(url)}, ".", testing=True).DATABASE_URL
    if WORKER:  # a worker's own database may not exist yet
        server = create_engine(
            make_url(driver_url).set(database="postgres"), isolation_level="AUTOCOMMIT"
        )
        with server.connect() as conn:
            name = make_url(driver_url).database
            if not conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).first():
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        server.dispose()
    engine = create_engine(driver_url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


class DrainingClient(FlaskClient):
    """A test client that runs the jobs a request enqueued before returning (Redis mode)."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        response = super().open(*args, **kwargs)
        drain_jobs(self.application)
        check_contract(self.application, response)
        return response


# Every JSON answer of these APIs is held to openapi.yaml, whichever test asked (an undocumented
# path or status fails too), so the contract cannot drift from the code unnoticed.
CONTRACT_PREFIXES = ("/proxy/", "/extension-api/")


def check_contract(app: Flask, response: Any) -> None:
    from werkzeug.exceptions import MethodNotAllowed, NotFound
    from werkzeug.routing import RequestRedirect

    request = getattr(response, "request", None)
    if request is None or not request.path.startswith(CONTRACT_PREFIXES):
        return
    if response.mimetype != "application/json" or request.method == "OPTIONS":
        return  # a CORS preflight (204) or a redirect carries no JSON body to check
    try:
        app.url_map.bind("localhost").match(request.path, method=request.method)
    except (NotFound, MethodNotAllowed):
        # no route answered (Flask's JSON 404/405): there is nothing the spec could drift from
        return
    except RequestRedirect:
        pass  # a route all the same (a trailing slash)
    from tests.contract.openapi_check import assert_response_matches_openapi

    assert_response_matches_openapi(response)


def drain_jobs(app: Flask) -> int:
    from plugin.jobs.queue import QUEUES, RedisQueue

    queue = app.extensions["tesmart_queue"]
    if (
        not isinstance(queue, RedisQueue)
        or threading.current_thread() is not threading.main_thread()
    ):
        return 0  # rq workers install signal handlers: only the main thread drains
    from rq.job import Job

    from plugin.extensions import db

    ran = True
    with app.app_context():
        while ran:  # a job may enqueue more (a webhook writes outbox items)
            ran = False
            for name in QUEUES:
                rq_queue = queue.queue(name)
                while raw_id := queue.connection.lpop(rq_queue.key):
                    job = Job.fetch(raw_id.decode(), connection=queue.connection)
                    try:
                        job.perform()
                    except Exception:  # the job recorded its own failure, as under a worker
                        db.session.rollback()
                    ran = True
        db.session.remove()
    return 1


# One app per database and job mode for the whole session: building one compiles every URL rule
# (about 60 ms), which every test paid. Each test gets the app as it was built: its config and its
# extensions (the fake Admin API, the queue, the HTTP client, the recorded sleeps) are put back
# afterwards, and every table is emptied.
_APPS: dict[tuple[str, bool], tuple[Flask, dict[str, Any], dict[str, Any]]] = {}


def _shared_app(
    database_url: str, in_process_jobs: bool
) -> tuple[Flask, dict[str, Any], dict[str, Any]]:
    from plugin import create_app

    key = (database_url, in_process_jobs)
    if key not in _APPS:
        config = base_config(database_url)
        if in_process_jobs:
            config["REDIS_URL"] = (
                ""  # the test calls services directly and reads their effects at once
            )
        built = create_app(config)
        built.test_client_class = DrainingClient
        _APPS[key] = (built, dict(built.config), dict(built.extensions))
    return _APPS[key]


# Markers that make a test's writes real commits (the tables are emptied afterwards): the test
# shares its data with other connections (worker processes, a live server's threads, a second
# app, fault injection), which the outer transaction of the default would hide from them.
COMMITTING_MARKERS = ("commits", "browser", "resilience")


def _commits(request: pytest.FixtureRequest) -> bool:
    return any(request.node.get_closest_marker(name) for name in COMMITTING_MARKERS)


@pytest.fixture()
def app(database_url: str, request: pytest.FixtureRequest) -> Iterator[Flask]:
    from plugin.extensions import db

    in_process = bool(request.node.get_closest_marker("in_process_jobs"))
    app, pristine_config, pristine_extensions = _shared_app(database_url, in_process)
    # No test really sleeps: the app's waits (Admin API retries, rate-limit waits) are recorded,
    # and the clock they are measured in moves on by them.
    sleeps = app.extensions[SLEEP_EXTENSION] = Sleeps()
    app.extensions[MONOTONIC_EXTENSION] = sleeps.monotonic
    if app.config["REDIS_URL"]:
        app.extensions["tesmart_queue"].connection.flushdb()
    ctx = app.app_context()
    ctx.push()
    outer = None if _commits(request) else OuterTransaction(app, db)
    entangled: list[str] = []
    try:
        yield app
    finally:
        db.session.remove()
        if outer is not None:
            entangled = outer.roll_back()
        else:
            _empty_tables(db)
            db.engine.dispose()  # no connection outlives its test
        ctx.pop()
        from webhooks.receiver import _shop_cache

        _shop_cache.clear()
        from plugin.shopify.client import PROCESS_BUCKETS

        PROCESS_BUCKETS.clear()  # each test's fake Admin API starts with a full bucket
        for name, extension in list(app.extensions.items()):
            if name not in pristine_extensions and hasattr(extension, "close"):
                # a client the test's requests opened (the Admin API's HTTP client)
                extension.close()
        app.extensions.clear()
        app.extensions.update(pristine_extensions)
        app.config.clear()
        app.config.update(pristine_config)
    if entangled:
        pytest.fail(
            "one connection could not keep this test's sessions apart ("
            + "; ".join(entangled)
            + "): mark it commits",
            pytrace=False,
        )


class OuterTransaction:
    """The test's writes, in one transaction on one connection, rolled back at its end.

    Every session the test opens (each request has its own) is bound to that connection with
    ``join_transaction_mode="create_savepoint"``: the code's ``commit()`` releases a savepoint and
    its ``rollback()`` returns to one, so the code runs as it does in production while nothing it
    writes outlives the test. What uses ``db.engine`` itself (the receiver's one-statement insert,
    the marks committed "on a connection of their own") gets the same connection, each block in a
    savepoint of its own; on PostgreSQL the receiver's own psycopg connection is this one's too.
    """

    def __init__(self, app: Flask, db: Any) -> None:
        from flask_sqlalchemy.session import Session

        self._db = db
        self._engines = db._app_engines[app]
        self.engine = self._engines[None]
        self.connection = self.engine.connect()
        self._sqlite = self.connection.connection.dbapi_connection if self._is_sqlite() else None
        if self._sqlite is not None:
            # pysqlite starts its transactions itself, later than asked and not around a
            # SAVEPOINT: this connection's transaction is BEGun here, by hand (SQLAlchemy's recipe).
            self._sqlite.isolation_level = None
        self._transaction = self.connection.begin()
        if self._sqlite is not None:
            self.connection.exec_driver_sql("BEGIN")
        self._patches = pytest.MonkeyPatch()
        self._listeners: list[tuple[Any, str, Any]] = []
        connection = self.connection
        self.savepoints = _Savepoints(connection)
        self._follow_savepoints(Session)
        self._patches.setattr(Session, "get_bind", lambda session, *a, **k: connection)
        self._patches.setitem(
            db.session.session_factory.kw, "join_transaction_mode", "create_savepoint"
        )
        self._patches.setitem(self._engines, None, _SharedEngine(self.engine, connection))
        if self.engine.dialect.name == "postgresql":
            from sqlalchemy.util import immutabledict

            from webhooks import receiver

            self._patches.setitem(
                receiver._own_connections, self.engine.url, _SharedOwnConnection(connection)
            )
            # A storefront read asks for autocommit (plugin.database.reads), which a connection
            # inside a transaction cannot give: the request's reads run in the test's
            # transaction instead, and the option is dropped again when the request's session
            # ends its transaction, as the pool resets a connection given back.
            self._patches.setattr(
                self.engine.dialect, "set_connection_execution_options", lambda *a: None
            )

            def given_back(session: Any, transaction: Any) -> None:
                if (
                    transaction.parent is None
                    and "isolation_level" in connection._execution_options
                ):
                    connection._execution_options = immutabledict(
                        {
                            k: v
                            for k, v in connection._execution_options.items()
                            if k != "isolation_level"
                        }
                    )

            self._listen(Session, "after_transaction_end", given_back)

    def _listen(self, target: Any, name: str, listener: Any) -> None:
        from sqlalchemy import event

        event.listen(target, name, listener)
        self._listeners.append((target, name, listener))

    def _follow_savepoints(self, session_class: Any) -> None:
        """Feed ``_Savepoints``: each savepoint on the test's connection, its owner, its writes."""
        connection, savepoints, dialect = self.connection, self.savepoints, self.engine.dialect
        do_savepoint = dialect.do_savepoint
        do_release = dialect.do_release_savepoint
        do_rollback = dialect.do_rollback_to_savepoint

        def savepoint(conn: Any, name: str) -> None:
            do_savepoint(conn, name)
            if conn is connection:
                savepoints.opened(name)

        def release(conn: Any, name: str) -> None:
            do_release(conn, name)
            if conn is connection:
                savepoints.released(name)

        def roll_back_to(conn: Any, name: str) -> None:
            if conn is not connection or savepoints.rolling_back(name):
                do_rollback(conn, name)
            else:
                do_release(conn, name)  # nothing of its owner's to undo: keep the others' work

        self._patches.setattr(dialect, "do_savepoint", savepoint)
        self._patches.setattr(dialect, "do_release_savepoint", release)
        self._patches.setattr(dialect, "do_rollback_to_savepoint", roll_back_to)

        def began(session: Any, transaction: Any, conn: Any) -> None:
            if conn is connection:
                name = getattr(transaction._connections[conn][1], "_savepoint", None)
                if name:
                    savepoints.owned_by(session, name)

        def executed(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            savepoints.statement(statement, getattr(cursor, "rowcount", -1))

        self._listen(session_class, "after_begin", began)
        self._listen(connection, "after_cursor_execute", executed)

    def _is_sqlite(self) -> bool:
        return bool(self.engine.dialect.name == "sqlite")

    def roll_back(self) -> list[str]:
        """End the test's transaction; what ``_Savepoints`` could not keep apart, if anything."""
        from sqlalchemy import event

        self._patches.undo()
        for target, name, listener in self._listeners:
            event.remove(target, name, listener)
        if self._transaction.is_active:
            self._transaction.rollback()
        if self._sqlite is not None:
            self._sqlite.isolation_level = ""  # back to pysqlite's own, for the pool's next user
        self.connection.close()
        return self.savepoints.problems


# The statements a rolled-back test sends in place of BEGIN, COMMIT and ROLLBACK (a test counting
# the app's statements leaves them out, as it leaves out the transaction's own).
FIXTURE_STATEMENTS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


class _SharedEngine:
    """``db.engine`` during a rolled-back test: the real engine, but ``connect()`` and ``begin()``
    hand out the test's connection (a savepoint around each use) instead of another one."""

    def __init__(self, engine: Any, connection: Any) -> None:
        object.__setattr__(self, "_engine", engine)
        object.__setattr__(self, "_connection", connection)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)

    def __setattr__(self, name: str, value: Any) -> None:
        # ``event.listen(db.engine, ...)`` marks its target ``_has_events``: it must be the real
        # engine, or its connections (the test's) never dispatch to the listener, and a test
        # counting statements counts none.
        setattr(self._engine, name, value)

    def connect(self) -> _Borrowed:
        return _Borrowed(self._connection)

    @contextlib.contextmanager
    def begin(self) -> Iterator[Any]:
        with self._connection.begin_nested():
            yield self._connection

    def dispose(self, close: bool = True) -> None:
        pass  # the test's connection stays until the rollback


class _Borrowed:
    """The test's connection as if freshly checked out: closing it gives it back (keeps it open),
    an isolation level asked for is the outer transaction's, and each statement runs in a
    savepoint, so a failed one (PostgreSQL) does not abort the test's transaction."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    def __enter__(self) -> _Borrowed:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def close(self) -> None:
        pass

    def execution_options(self, **options: Any) -> _Borrowed:
        return self

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        with self._connection.begin_nested():
            result = self._connection.execute(*args, **kwargs)
            return result.freeze()() if result.returns_rows else result

    def exec_driver_sql(self, *args: Any, **kwargs: Any) -> Any:
        return self._connection.exec_driver_sql(*args, **kwargs)


class _Savepoints:
    """Keeps one session's rollback from undoing what other sessions committed meanwhile.

    On one connection savepoints nest: a session that opened its savepoint (a read is enough) and
    rolls back or closes later undoes everything after it, including what requests and jobs
    committed in between, which separate connections keep in production. So each savepoint
    records who opened it (a session, or an engine block of its own) and whether its owner
    wrote in it; a rollback of a savepoint that holds others' released work and nothing of its
    owner's releases it instead, which is the same for the owner and keeps the others' commits.
    A rollback that would have to undo both (or another's savepoint still open) is beyond one
    connection: it rolls back as before and the test fails, asking for the ``commits`` mark.
    """

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.stack: list[_Savepoint] = []
        self.problems: list[str] = []

    def opened(self, name: str) -> None:
        self.stack.append(_Savepoint(name))

    def owned_by(self, session: Any, name: str) -> None:
        for savepoint in reversed(self.stack):
            if savepoint.name == name:
                savepoint.owner = session
                return

    def statement(self, statement: str, rowcount: int) -> None:
        """A statement ran: a write, unless it reads or changed no row (an upsert that found its
        row, an UPDATE that matched none); an unknown count (-1) is taken for a write."""
        if rowcount == 0 or not self.stack:
            return
        if not statement.lstrip()[:9].upper().startswith(_NOT_WRITES):
            self.stack[-1].wrote = True

    def released(self, name: str) -> None:
        while self.stack:
            inner = self.stack.pop()
            if inner.name == name:
                if self.stack:
                    self.stack[-1].absorb(inner)
                return

    def rolling_back(self, name: str) -> bool:
        """Whether to roll back (else release) savepoint ``name``."""
        index = next((i for i, s in enumerate(self.stack) if s.name == name), None)
        if index is None:
            return True
        savepoint, above = self.stack[index], self.stack[index + 1 :]
        del self.stack[index:]
        if any(inner.owner is not savepoint.owner for inner in above):
            self.problems.append(f"{name} rolled back under another's open savepoint")
            return True
        for inner in above:
            savepoint.absorb(inner)
        if not savepoint.others:
            return True
        if savepoint.wrote or self._failed():
            self.problems.append(
                f"rolling back {name} undoes its own writes and what other sessions committed "
                "after it began"
            )
            return True
        return False

    def _failed(self) -> bool:
        info = getattr(self.connection.connection.dbapi_connection, "info", None)
        status = getattr(info, "transaction_status", None)
        return status is not None and status.name == "INERROR"


# Statements that change no rows (the savepoints' own included); anything else counts as a write.
_NOT_WRITES = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "PRAGMA", "SHOW", "SET ", "EXPLAIN")


class _Savepoint:
    def __init__(self, name: str) -> None:
        self.name = name
        self.owner: Any = object()  # an engine block (its own connection in production)
        self.wrote = False  # its owner wrote in it (directly or in its own nested savepoints)
        self.others = False  # it holds work other owners committed (released) inside it

    def absorb(self, inner: _Savepoint) -> None:
        if inner.owner is self.owner:
            self.wrote |= inner.wrote
            self.others |= inner.others
        else:
            self.others |= inner.wrote or inner.others


class _SharedOwnConnection:
    """The receiver's own psycopg connection (PostgreSQL) during a rolled-back test: the DBAPI
    connection under the test's, so its insert is part of the test's transaction."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection

    def get(self) -> Any:
        return self._connection.connection.dbapi_connection

    def discard(self) -> None:
        pass


def _empty_tables(db: Any) -> None:
    engine = db.engine
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    # DELETE beats TRUNCATE on a handful of rows (TRUNCATE rewrites every table on PostgreSQL).
    with engine.begin() as conn:
        for table in tables:
            conn.execute(text(f"DELETE FROM {table}"))


class Sleeps(list[float]):
    """The app's injected sleep (``plugin.clock.sleeper``): records the seconds, waits none, and
    moves the app's monotonic clock (``plugin.clock.monotonic_clock``) on by them, so a wait for
    a rate-limit bucket finds it restored (the fake Admin API's bucket runs on that clock too)."""

    def __init__(self) -> None:
        super().__init__()
        self.ahead = 0.0

    def __call__(self, seconds: float) -> None:
        self.append(seconds)
        self.ahead += seconds

    def monotonic(self) -> float:
        return time.monotonic() + self.ahead


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One headless Chromium per worker, shared by every browser test (launching one costs about
    a second of CPU); each test opens a context of its own (its cookies, storage and routes)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    from tests.browser import launch_chromium

    with sync_api.sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture()
def slept(app: Flask) -> Sleeps:
    """The seconds the app would have slept during the test, in order."""
    return app.extensions[SLEEP_EXTENSION]  # type: ignore[no-any-return]


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture()
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


@pytest.fixture()
def shops(app: Flask) -> dict[str, Any]:
    """The four regional shops, installed, with their default catalogues."""
    from plugin.extensions import db

    created = install_shops()
    db.session.commit()
    return created


def add_shops() -> dict[str, Any]:
    """The four shops as ``add_shop`` installs them, one by one (about 26 statements)."""
    from plugin.shops.registry import add_shop

    return {region: add_shop(domain, region) for region, domain in SHOP_DOMAINS.items()}


# What ``add_shop`` writes for four new shops (their rows and their catalogues' rows), per
# database, captured from the first test of the process that asks for ``shops``; the others insert
# the same rows in two statements and read the shops back in a third (about 26 statements and 6 ms
# a test before). Shops already there (a test that loaded the demo first) are reinstalled by
# ``add_shop`` itself. tests/foundation/test_shops_fixture.py holds the rows of both ways equal,
# column by column, so the shortcut cannot drift from ``add_shop``.
_SHOP_ROWS: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}


def install_shops() -> dict[str, Any]:
    """``add_shops()``, from the captured rows once there are any; not committed."""
    from sqlalchemy import select

    from plugin import clock
    from plugin.extensions import db
    from plugin.models import Reward, Shop

    url = str(db.engine.url)
    domains = list(SHOP_DOMAINS.values())
    if db.session.scalar(select(Shop.id).where(Shop.domain.in_(domains)).limit(1)) is not None:
        return add_shops()  # reinstalls of shops already there (the demo's): add_shop's own way
    if url not in _SHOP_ROWS:
        created = add_shops()
        db.session.flush()
        _SHOP_ROWS[url] = _captured_rows([shop.id for shop in created.values()])
        return created
    shop_rows, reward_rows = _SHOP_ROWS[url]
    now = clock.now()  # what add_shop gives a new shop
    ids = _insert_rows(Shop.__table__, [{**row, "installed_at": now} for row in shop_rows])
    by_domain = {row["domain"]: shop_id for row, shop_id in zip(shop_rows, ids, strict=True)}
    _insert_rows(
        Reward.__table__,
        [
            {**{k: v for k, v in row.items() if k != "domain"}, "shop_id": by_domain[row["domain"]]}
            for row in reward_rows
        ],
    )
    found = db.session.scalars(select(Shop).where(Shop.id.in_(ids)))
    loaded = {shop.domain: shop for shop in found}
    return {region: loaded[domain] for region, domain in SHOP_DOMAINS.items()}


def _captured_rows(shop_ids: list[int]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The shops' and their rewards' rows as stored, in insertion order, to insert again: no
    surrogate keys (a reward names its shop by domain), no NULLs (a column left out is NULL, as
    the ORM leaves it; an explicit None would be JSON ``null`` in a JSON column), and no column
    whose default is computed at insert (``created_at``): the insert computes it again."""
    from sqlalchemy import select

    from plugin.extensions import db
    from plugin.models import Reward, Shop

    shops, rewards = Shop.__table__, Reward.__table__

    def kept(table: Any, row: Any) -> dict[str, Any]:
        return {
            name: value
            for name, value in row._mapping.items()
            if value is not None
            and not table.c[name].primary_key
            and not (table.c[name].default is not None and table.c[name].default.is_callable)
        }

    stored = db.session.execute(
        select(shops).where(shops.c.id.in_(shop_ids)).order_by(shops.c.id)
    ).all()
    shop_rows = [kept(shops, row) for row in stored]
    domains = {row.id: row.domain for row in stored}
    reward_rows = [
        {**kept(rewards, row), "domain": domains[row.shop_id]}
        for row in db.session.execute(
            select(rewards).where(rewards.c.shop_id.in_(shop_ids)).order_by(rewards.c.id)
        )
    ]
    for row in reward_rows:
        del row["shop_id"]
    return shop_rows, reward_rows


def _insert_rows(table: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` in order, one statement for each run of rows naming the same columns (a
    fixed-amount reward has no percentage); their ids."""
    from itertools import groupby

    from sqlalchemy import insert

    from plugin.extensions import db

    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    ids: list[int] = []
    for _columns, run in groupby(rows, key=lambda row: tuple(sorted(row))):
        ids.extend(db.session.scalars(statement, list(run)))
    return ids


@pytest.fixture()
def fake_admin(app: Flask) -> Any:
    from plugin.shopify.admin_api import fake_admin as get_fake

    return get_fake(app)


@pytest.fixture()
def deliver(client: FlaskClient) -> Callable[..., Any]:
    """POST a signed webhook: ``deliver("orders/paid", payload, shop="us")``."""

    def send(
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

    return send


@pytest.fixture()
def proxy(client: FlaskClient) -> Callable[..., Any]:
    """A request through the app proxy, signed like Shopify: ``proxy("GET", "/member", shop="us",
    customer=123)``."""

    def send(
        method: str,
        path: str,
        shop: str = "us",
        customer: Any = None,
        *,
        json: Any = None,
        secret: str = signing.API_SECRET,
        timestamp: int | None = None,
    ) -> Any:
        domain = SHOP_DOMAINS.get(shop, shop)
        query = signing.proxy_query(
            domain, str(customer) if customer else None, secret=secret, timestamp=timestamp
        )
        return client.open(f"/proxy{path}?{query}", method=method, json=json)

    return send
