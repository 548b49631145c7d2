"""A pooled connection the server hung up on is replaced at checkout, with no ping round trip."""

from __future__ import annotations

import time

import psycopg
import pytest
from sqlalchemy import event, text

from plugin.connections import server_has_hung_up
from plugin.extensions import db
from tests.conftest import TEST_DATABASE_URL

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not TEST_DATABASE_URL.startswith("postgres"), reason="needs PostgreSQL (DATABASE_URL)"
    ),
]


def terminate(pid: int) -> None:
    with psycopg.connect(TEST_DATABASE_URL, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


def hung_up_within(conn: psycopg.Connection, seconds: float = 2.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server_has_hung_up(conn):
            return True
        time.sleep(0.01)
    return False


def test_a_live_idle_connection_is_not_mistaken_for_a_dead_one() -> None:
    with psycopg.connect(TEST_DATABASE_URL, autocommit=True) as conn:
        conn.execute("SELECT 1")
        assert not server_has_hung_up(conn)
        assert not server_has_hung_up(conn), "checking reads nothing off the socket"
        assert conn.execute("SELECT 2").fetchone() == (2,)


def test_a_terminated_connection_is_seen_without_a_query() -> None:
    with psycopg.connect(TEST_DATABASE_URL, autocommit=True) as conn:
        terminate(conn.info.backend_pid)
        assert hung_up_within(conn)


def test_a_closed_connection_is_dead() -> None:
    conn = psycopg.connect(TEST_DATABASE_URL, autocommit=True)
    conn.close()
    assert server_has_hung_up(conn)


# The server drops the pool's connections: they must be real ones.
@pytest.mark.commits
def test_the_pool_replaces_a_connection_the_server_dropped(app) -> None:  # type: ignore[no-untyped-def]
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    with db.engine.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        dbapi = conn.connection.dbapi_connection
    terminate(pid)
    assert hung_up_within(dbapi)  # type: ignore[arg-type]
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        with db.engine.connect() as conn:  # the same pooled connection would fail here
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert statements == ["SELECT pg_backend_pid()"], "no ping round trip at checkout"


def test_an_own_connection_is_kept_replaced_when_dead_and_never_shared_across_a_fork() -> None:
    from plugin.connections import OwnConnection

    own = OwnConnection(TEST_DATABASE_URL)
    first = own.get()
    assert own.get() is first, "kept between uses"
    assert first.autocommit, "each statement is its own transaction"
    terminate(first.info.backend_pid)
    assert hung_up_within(first)
    second = own.get()
    assert second is not first and second.execute("SELECT 1").fetchone() == (1,)

    own._local.pid = -1  # as seen from a forked child: the socket belongs to the parent
    third = own.get()
    assert third is not second
    assert not second.closed, "the parent's connection is left to the parent"
    second.close()
    own.discard()
    assert third.closed
