"""Reads a drained batch of webhook events makes once for all of them (set-based), instead of once
per event: which of the batch's customers are redacted or were sent by a referral link, and the
products its order lines name.

The worker opens ``batch_reads()`` around a batch (one transaction, ``plugin.jobs``) and fills it;
``is_redacted``, ``find_product`` and the referral check answer from it for the keys it holds and
read the database for any other. It is valid for that one transaction only: a redaction is applied
alone, never inside a batch, a product written in the batch replaces its entry (``remember``), and a
referral visit is recorded by the storefront, never by a webhook (a visit in the instants between
the batch's read and its event counts from the next delivery of the order, or reconciliation).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_reads: ContextVar[dict[str, dict[Any, Any]] | None] = ContextVar("batch_reads", default=None)


@contextmanager
def batch_reads() -> Iterator[dict[str, dict[Any, Any]]]:
    reads: dict[str, dict[Any, Any]] = {"redacted": {}, "products": {}, "referrals": {}}
    token = _reads.set(reads)
    try:
        yield reads
    finally:
        _reads.reset(token)


def known(kind: str) -> dict[Any, Any] | None:
    """The batch's answers of this kind, or None outside a batch."""
    reads = _reads.get()
    return None if reads is None else reads[kind]


def remember(kind: str, key: Any, value: Any) -> None:
    """A write in the batch changed an answer it holds (a no-op outside a batch)."""
    reads = _reads.get()
    if reads is not None:
        reads[kind][key] = value


def forget() -> None:
    """An event's savepoint was rolled back: what it wrote may be in the answers; drop them all
    (the rest of the batch reads the database again)."""
    reads = _reads.get()
    if reads is not None:
        for answers in reads.values():
            answers.clear()
