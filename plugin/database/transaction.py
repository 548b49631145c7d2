"""One unit of work: who commits, and what happens after a commit whoever made it.

``unit_of_work()`` is how a service owns its transaction: the block commits when it ends and rolls
back when it raises. A unit of work opened inside another one *joins* it: only the outermost block
commits, and an error that leaves an inner block rolls the whole of it back, even when the outer
block catches it (the outer block then raises ``UnitOfWorkFailed`` instead of committing a part).
A caller that must keep going after a part failed says so with ``savepoint()``, the only nesting
that can fail alone (a bad import row, one webhook event of a batch).

Faces (views, decorators, CLI commands, jobs) call services; they do not commit. Work that must
follow a commit (the outbox's enqueue) is registered with ``after_commit(callback, *args)``: it runs
once the outermost transaction has committed, whoever committed it (``unit_of_work``, a plain
``db.session.commit()``), and never after a rollback; a savepoint rolled back drops what was
registered inside it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from plugin.database.reads import end_reading
from plugin.database.reads import install as install_read_guard
from plugin.extensions import db

log = logging.getLogger(__name__)

_DEPTH = "unit_of_work_depth"
_DOOMED = "unit_of_work_doomed"  # an inner block raised: the outermost one rolls back
_PENDING = "after_commit_pending"  # registered in the open transaction
_COMMITTED = "after_commit_ready"  # its transaction committed: run when it has closed
_MARKS = "after_commit_marks"  # open savepoint -> how many were registered when it began


class UnitOfWorkFailed(RuntimeError):
    """An inner unit of work failed and its caller went on: the outer one cannot commit a part."""


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """Commit on success, roll back on error; joins an enclosing unit of work (see above)."""
    session = db.session()
    depth = session.info.get(_DEPTH, 0)
    if depth == 0:
        end_reading()  # a request reading without a transaction writes in one from here
    session.info[_DEPTH] = depth + 1
    try:
        yield session
    except BaseException:
        if depth == 0:
            session.info.pop(_DOOMED, None)
            session.rollback()
        else:  # the outer block may catch this; what the inner one wrote must not be committed
            session.info[_DOOMED] = True
        raise
    else:
        if depth == 0:
            if session.info.pop(_DOOMED, False):
                session.rollback()
                raise UnitOfWorkFailed("an inner unit of work failed; nothing was committed")
            session.commit()
    finally:
        session.info[_DEPTH] = depth


@contextmanager
def held() -> Iterator[Session]:
    """The caller owns the open transaction (a worker's batch of webhook events): the units of
    work inside join it and commit nothing; the caller commits or rolls back."""
    session = db.session()
    depth = session.info.get(_DEPTH, 0)
    session.info[_DEPTH] = depth + 1
    try:
        yield session
    finally:
        session.info[_DEPTH] = depth


@contextmanager
def savepoint() -> Iterator[Session]:
    """A part that fails alone: released on success, rolled back (and re-raised) on error."""
    session = db.session()
    doomed = session.info.get(_DOOMED, False)
    try:
        with session.begin_nested():
            yield session
    except BaseException:
        session.info[_DOOMED] = doomed  # what failed inside was rolled back with the savepoint
        raise


# Callbacks run once per commit with the list of every args tuple registered for them (the outbox
# hands a commit's items to the queue in one round trip), instead of once per registration.
_COLLECTED: set[Callable[..., Any]] = set()


def collect(callback: Callable[..., Any]) -> None:
    """``callback`` runs once per commit, as ``callback([args, ...])``."""
    _COLLECTED.add(callback)


def after_commit(callback: Callable[..., Any], *args: Any) -> None:
    """Run ``callback(*args)`` once the session's outermost transaction has committed."""
    db.session().info.setdefault(_PENDING, []).append((callback, args))


def forget_after_commit(callback: Callable[..., Any]) -> None:
    """Drop what ``callback`` was registered for in the open transaction."""
    pending = db.session().info.get(_PENDING, [])
    pending[:] = [(registered, args) for registered, args in pending if registered is not callback]


def _on_savepoint_begin(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested:
        session.info.setdefault(_MARKS, {})[transaction] = len(session.info.get(_PENDING, ()))


def _on_commit(session: Session) -> None:
    released = session.get_nested_transaction()
    if released is not None:  # a savepoint released: its work is not committed yet, but kept
        session.info.get(_MARKS, {}).pop(released, None)
        return
    session.info.setdefault(_COMMITTED, []).extend(session.info.pop(_PENDING, []))


def _on_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested:
        # Still marked: the savepoint was rolled back, and what was registered inside it goes.
        mark = session.info.get(_MARKS, {}).pop(transaction, None)
        if mark is not None:
            del session.info.get(_PENDING, [])[mark:]
        return
    if transaction.parent is not None:
        return
    # The outermost transaction has ended: after a commit its work runs now, when the session can
    # begin a new transaction (a job run in this process uses the same session); after a
    # rollback or a close, what it registered is forgotten.
    session.info.pop(_PENDING, None)
    session.info.pop(_MARKS, None)
    ready = session.info.pop(_COMMITTED, [])
    collected: dict[Callable[..., Any], list[tuple[Any, ...]]] = {}
    calls: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []
    for callback, args in ready:
        if callback in _COLLECTED:
            if callback not in collected:
                collected[callback] = []
                calls.append((callback, (collected[callback],)))
            collected[callback].append(args)
        else:
            calls.append((callback, args))
    for callback, args in calls:
        try:
            callback(*args)
        except Exception:  # the commit stands; what was missed is healed by the sweep
            log.exception("after-commit %s%r failed", getattr(callback, "__name__", callback), args)


def install(target: Any = None) -> None:
    """Listen on the app's sessions (idempotent: ``create_app`` calls it for every app)."""
    target = db.session if target is None else target
    listeners: list[tuple[str, Callable[..., None]]] = [
        ("after_transaction_create", _on_savepoint_begin),
        ("after_commit", _on_commit),
        ("after_transaction_end", _on_transaction_end),
    ]
    for name, listener in listeners:
        if not event.contains(target, name, listener):
            event.listen(target, name, listener)
    install_read_guard(target)
