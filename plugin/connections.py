"""Telling a dead pooled PostgreSQL connection from a live one without a round trip.

A restart (or ``pg_terminate_backend``, or an idle timeout) closes the server's end of every
pooled connection; the next statement on one would fail. SQLAlchemy's ``pool_pre_ping`` finds
them by sending ``SELECT 1`` at every checkout: a round trip per request, the largest single cost
of the webhook receiver after its own INSERT. A server that closes a connection sends its last
words (a FATAL notice) and a FIN first, so the socket of an idle connection that has anything to
read is dead. Checking that costs one ``poll`` and no network at all. A connection cut without a
word (a network partition) is not caught here: its statement fails, the request answers 5xx and
Shopify retries, and a job's event stays ``received`` for the sweep.
"""

from __future__ import annotations

import os
import select
import threading
from contextlib import suppress
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import Pool


def server_has_hung_up(dbapi_connection: Any) -> bool:
    """True when the idle psycopg connection is closed, broken, or has unread server data."""
    if getattr(dbapi_connection, "closed", False) or getattr(dbapi_connection, "broken", False):
        return True
    try:
        fd = dbapi_connection.fileno()
    except Exception:  # closed under us: the driver refuses to tell
        return True
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))


@event.listens_for(Pool, "checkout")
def _refuse_dead_connections(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    # Only psycopg connections: SQLite has no server to hang up.
    if type(dbapi_connection).__module__.startswith("psycopg") and server_has_hung_up(
        dbapi_connection
    ):
        raise DisconnectionError("the database server closed this connection")  # the pool retries


class ConnectionLost(Exception):
    """A statement run on the driver connection itself found the server gone (the connection is
    invalidated already): safe to try once more only when the statement is idempotent."""


class OwnConnection:
    """One autocommit psycopg connection per thread (a sync worker has one), outside the pool.

    For the webhook receiver's single INSERT: it needs no transaction, and a checkout and return
    through SQLAlchemy's pool, with the autocommit switched on and off around it, cost it about
    as much CPU as the statement itself. The connection is checked the same way the pool checks
    its own (``server_has_hung_up``) before each use, made again after a fork or a hang-up, and
    dropped by ``discard`` when a statement on it failed for want of the server.
    """

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self._local = threading.local()

    def get(self) -> Any:
        import psycopg

        conn = getattr(self._local, "conn", None)
        if conn is not None and (self._local.pid != os.getpid() or server_has_hung_up(conn)):
            self.discard()
            conn = None
        if conn is None:
            conn = psycopg.connect(self.dsn, autocommit=True)
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def discard(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        # After a fork the socket is the parent's too: closing it would say goodbye for the parent.
        if conn is not None and self._local.pid == os.getpid():
            with suppress(Exception):
                conn.close()
