"""Round trips a read-only request can skip: the transaction around its reads, and re-reads after a
commit.

A storefront read (GET /proxy/member, /devices, ...) only SELECTs. On PostgreSQL at its default
READ COMMITTED level every statement takes its own snapshot whether or not a transaction is open,
so running those SELECTs in autocommit mode answers exactly the same rows; it only drops the BEGIN
and ROLLBACK round trips. It also keeps psycopg's prepared statements: psycopg forgets them on
every ROLLBACK, so a request that ends with one pays PostgreSQL's planning of its queries again.
"""

from __future__ import annotations

from plugin.extensions import db


def read_without_transaction() -> bool:
    """Make the request's coming statements autocommit (PostgreSQL only); whether it did.

    Call it before the request's first statement; a session that has begun already keeps its
    transaction. Whatever then writes calls ``end_reading`` first, so its statements are one
    transaction as before (a single-statement write would be atomic either way).
    """
    session = db.session()
    if session.in_transaction() or session.get_bind().dialect.name != "postgresql":
        return False
    session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    return True


def end_reading() -> None:
    """Before writing: give the autocommit connection back, so the statements that follow run in
    a transaction (the pool restores the connection's isolation level). A no-op in a transaction.
    Nothing was written, so nothing loaded is expired."""
    if _reading():
        commit_keeping_loaded()


def stop_reading() -> None:
    """At the end of the request, however it ended (an error answer too): give the autocommit
    connection back, so whatever else uses this session next starts a transaction again."""
    if _reading():
        db.session.rollback()  # autocommit: no round trip, nothing to undo


def _reading() -> bool:
    session = db.session()
    if not session.in_transaction():
        return False
    return session.connection().get_execution_options().get("isolation_level") == "AUTOCOMMIT"


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
