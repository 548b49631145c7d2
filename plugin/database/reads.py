"""Round trips a read-only request can skip: the transaction around its reads, and re-reads after a
commit.

A storefront read (GET /proxy/member, /devices, ...), an extension-API read and an admin page
load mostly SELECT. On PostgreSQL at its default
READ COMMITTED level every statement takes its own snapshot whether or not a transaction is open,
so running those SELECTs in autocommit mode answers exactly the same rows; it only drops the BEGIN
and ROLLBACK round trips. It also keeps psycopg's prepared statements: psycopg forgets them on
every ROLLBACK, so a request that ends with one pays PostgreSQL's planning of its queries again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from plugin.extensions import db


class WriteWhileReading(RuntimeError):
    """A write reached a session reading without a transaction: each of its statements would
    commit alone. A write belongs in ``unit_of_work()`` (which ends the reading first) or after
    ``end_reading()``."""


def read_without_transaction() -> bool:
    """Make the request's coming statements autocommit (PostgreSQL only); whether it did.

    Call it before the request's first statement; a session that has begun already keeps its
    transaction. Whatever then writes does so in ``unit_of_work()``, which ends the reading
    first, or calls ``end_reading`` itself, so its statements are one transaction as before. A
    write that does neither is refused (``WriteWhileReading``) before it reaches the database.
    """
    session = db.session()
    if session.in_transaction() or session.get_bind().dialect.name != "postgresql":
        return False
    session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    # The session "transaction" that holds the autocommit connection: reading lasts while it is
    # the session's transaction, however it ends (a commit, a rollback, a close).
    session.info[_READING] = session.get_transaction()
    return True


def end_reading() -> None:
    """Before writing: give the autocommit connection back, so the statements that follow run in
    a transaction (the pool restores the connection's isolation level). A no-op in a transaction.
    Nothing was written, so nothing loaded is expired."""
    if _reading():
        commit_keeping_loaded()


def stop_reading() -> None:
    """At the end of the request, however it ended (an error answer too): give the autocommit
    connection back, so whatever else uses this session next starts a transaction again.

    What was loaded stays loaded, not expired: what runs after the view (the answer's headers)
    reads it without a statement of its own. Changes left pending by a failed view are dropped
    (rolled back), never flushed.
    """
    if not _reading():
        return
    session = db.session()
    if _has_changes(session):
        session.rollback()  # autocommit: no round trip; the pending changes are dropped
    else:
        commit_keeping_loaded()  # autocommit: no round trip either


def finish_reads() -> None:
    """A read-only view's statements are over: end them before the answer is built.

    Reading without a transaction, the reading ends as at the end of the request
    (``stop_reading``): nothing to roll back, and what was loaded stays loaded (a rollback would
    walk every loaded row to expire it). In a transaction (SQLite; a view that wrote with
    ``unit_of_work`` and read on), the transaction is rolled back: the view wrote nothing in it.
    """
    if _reading():
        stop_reading()
    else:
        db.session.rollback()


_READING = "reading_without_transaction"


def _reading(session: Session | None = None) -> bool:
    session = db.session() if session is None else session
    reading = session.info.get(_READING)
    if reading is None:
        return False
    if reading is session.get_transaction():
        return True
    del session.info[_READING]  # that transaction has ended
    return False


def _has_changes(session: Session) -> bool:
    """Whether a flush of the session would write anything."""
    return bool(session.new or session.deleted) or any(
        session.is_modified(instance) for instance in session.dirty
    )


def _refuse_flush(session: Session, _context: Any, _instances: Any) -> None:
    if _reading(session) and _has_changes(session):
        raise WriteWhileReading(
            "a flush while reading without a transaction: write in unit_of_work() or after "
            "end_reading()"
        )


def _refuse_statement(state: ORMExecuteState) -> None:
    if (state.is_insert or state.is_update or state.is_delete) and _reading(state.session):
        raise WriteWhileReading(
            "an INSERT, UPDATE or DELETE while reading without a transaction: write in "
            "unit_of_work() or after end_reading()"
        )


def install(target: Any = None) -> None:
    """Refuse writes on a session that reads without a transaction (idempotent)."""
    target = db.session if target is None else target
    for name, listener in (("before_flush", _refuse_flush), ("do_orm_execute", _refuse_statement)):
        if not event.contains(target, name, listener):
            event.listen(target, name, listener)


def commit_keeping_loaded() -> None:
    """Commit without expiring what the session loaded and wrote.

    After the commit the loaded rows hold the values this transaction read or wrote; expiring them
    would only make the code that builds the answer read the same rows back, a round trip each.
    """
    session = db.session()
    expire_on_commit = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire_on_commit
