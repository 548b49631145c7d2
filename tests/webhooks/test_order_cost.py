"""What applying one paid order costs the worker, in figures that hold on a loaded machine: the SQL
statements it sends (and which), measured around ``process_webhook`` over a fixed batch."""

from __future__ import annotations

import collections
from typing import Any

import pytest
from sqlalchemy import event

from plugin import jobs
from plugin.extensions import db
from tests import payloads
from tests.conftest import FIXTURE_STATEMENTS
from tests.webhooks.conftest import balance, member

ORDERS = 20


def _paid(kvm: dict[str, Any], n: int) -> dict[str, Any]:
    return payloads.order(
        lines=[payloads.line_item(kvm["switch"]["id"], "129.00")],
        customer_block=payloads.customer(email=f"buyer{n}@example.com"),
    )


@pytest.mark.in_process_jobs
def test_a_paid_order_is_applied_in_a_bounded_number_of_statements(
    shops: Any, kvm: Any, deliver: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    statements: list[str] = []
    inside = {"on": False}

    def count(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        # SAVEPOINT and RELEASE stand in for BEGIN and COMMIT in a rolled-back test
        # (tests/conftest.py), which are not statements.
        if inside["on"] and not sql.startswith(FIXTURE_STATEMENTS):
            statements.append(sql.split(None, 1)[0].upper() + " " + _table(sql))

    original = jobs.process_webhook

    def measured(event_id: int) -> str:
        inside["on"] = True
        try:
            return original(event_id)
        finally:
            inside["on"] = False

    monkeypatch.setattr(jobs, "process_webhook", measured)
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        deliver("orders/paid", _paid(kvm, 0))  # the first order of a shop warms its caches
        statements.clear()
        for n in range(1, ORDERS + 1):
            assert deliver("orders/paid", _paid(kvm, n)).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert balance(shops["us"].id, member(f"buyer{ORDERS}@example.com").id) == 2000
    per_order = len(statements) / ORDERS
    print(f"\n{per_order:.1f} statements per paid order")
    for sql, times in collections.Counter(statements).most_common():
        print(f"  {times / ORDERS:5.2f}  {sql}")
    # 28 before the new rows came back from their INSERT, the balance from its upsert, a new
    # order's refunds and device backfill were skipped and its row updated once (in-process: the
    # outbox items run inline too; a drained batch costs less, test_batch_cost)
    assert per_order <= 21


def _table(sql: str) -> str:
    words = sql.replace("\n", " ").split()
    for keyword in ("INTO", "FROM", "UPDATE"):
        if keyword in words:
            index = words.index(keyword) + 1
            if index < len(words):
                return words[index]
    return ""
