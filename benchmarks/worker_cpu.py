"""CPU per paid order behind the acknowledgement, in this process, for profiling the worker.

    python -m benchmarks.worker_cpu                  # the app's worker vs the floor's, per order
    python -m benchmarks.worker_cpu --profile 30     # and the worker's 30 costliest calls

The end to end benchmark shares 2 cores between the load generator, gunicorn, PostgreSQL, Redis,
the fake Admin API and the workers, so every millisecond a worker spends per order is taken from
the web tier's pace. This measures that share with less noise than a throughput: paid orders are
delivered to the app's receiver (not counted), then, as an rq worker would, the webhook stream is
drained (``plugin.jobs.drain_webhooks``) and the outbox items the orders wrote are run
(``plugin.jobs.run_outbox_items``, 50 to a job as ``enqueue_outbox`` cuts them) against the
benchmark's fake Admin API on loopback, its customers seeded so each Flow trigger is received.
Each step's CPU is this process's plus PostgreSQL's and the fake's (their processes' CPU read from
/proc before and after, so other work on the machine meanwhile adds to it: repeat when a figure
matters); the floor (``benchmarks/floor_worker.py``'s ``award``) is measured the same way on the
same orders.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

from benchmarks.request_cpu import environ_of, load
from benchmarks.stack import API_SECRET, Stack, app_context
from benchmarks.traffic import PaidOrders

TICKS = os.sysconf("SC_CLK_TCK")
RUN_OUTBOX = True


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) of process ``pid`` so far; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def postgres_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() in ("postgres", "postmaster"):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


class Meter:
    """CPU of this process, of PostgreSQL (its processes that lived through the step) and of the
    fake Admin API."""

    def __init__(self, fake_pid: int) -> None:
        self.fake_pid = fake_pid

    def read(self) -> dict[str, Any]:
        return {
            "worker": time.process_time(),
            "postgres": {pid: process_cpu(pid) for pid in postgres_pids()},
            "fake": process_cpu(self.fake_pid),
            "wall": time.perf_counter(),
        }

    @contextmanager
    def measure(self, into: dict[str, float]) -> Iterator[None]:
        before = self.read()
        yield
        after = self.read()
        for key, value in after.items():
            if key == "postgres":
                spent = sum(
                    cpu - before[key][pid] for pid, cpu in value.items() if pid in before[key]
                )
            else:
                spent = value - before[key]
            into[key] = into.get(key, 0.0) + spent


def ms(seconds: float, count: int) -> str:
    return f"{seconds / count * 1e3:6.3f}"


def report(label: str, figures: dict[str, float], count: int) -> float:
    cpu = figures.get("worker", 0.0) + figures.get("postgres", 0.0) + figures.get("fake", 0.0)
    print(
        f"  {label:<24} worker {ms(figures.get('worker', 0.0), count)}  postgres "
        f"{ms(figures.get('postgres', 0.0), count)}  fake {ms(figures.get('fake', 0.0), count)}"
        f"  = {ms(cpu, count)} ms CPU per order  (wall {ms(figures.get('wall', 0.0), count)})"
    )
    return cpu / count


def seed_fake_customers(port: int, shop: str, orders: PaidOrders) -> None:
    import json

    customers = [
        {"id": orders.customer_id(i), "email": f"member{orders.customer_id(i)}@bench.example"}
        for i in range(orders.customers)
    ]
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/_bench/customers",
        data=json.dumps({"shop": shop, "customers": customers}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(request).read()


def deliver(app: Any, orders: PaidOrders, indexes: range) -> None:
    statuses: list[str] = []

    def start_response(status: str, _headers: Any, _exc: Any = None) -> None:
        statuses.append(status)

    for index in indexes:
        for _chunk in app.wsgi_app(environ_of(orders.request(index)), start_response):
            pass
    bad = [s for s in statuses if not s.startswith("2")]
    if bad:
        raise SystemExit(f"{len(bad)} deliveries were refused, e.g. {bad[0]}")


def pending_outbox() -> list[int]:
    from sqlalchemy import select

    from plugin.extensions import db
    from plugin.models import OutboxItem

    ids = list(
        db.session.execute(
            select(OutboxItem.id).where(OutboxItem.state == "pending").order_by(OutboxItem.id)
        ).scalars()
    )
    db.session.rollback()
    return ids


def outbox_outcomes() -> dict[str, int]:
    from sqlalchemy import func, select

    from plugin.extensions import db
    from plugin.models import OutboxItem

    rows = db.session.execute(
        select(OutboxItem.kind, OutboxItem.state, func.count()).group_by(
            OutboxItem.kind, OutboxItem.state
        )
    ).all()
    db.session.rollback()
    return {f"{kind} {state}": count for kind, state, count in rows}


def app_round(
    app: Any,
    meter: Meter,
    orders: PaidOrders,
    indexes: range,
    profiler: cProfile.Profile | None,
) -> dict[str, dict[str, float]]:
    from plugin.jobs import drain_webhooks, run_outbox_items
    from plugin.jobs.queue import job_queue

    deliver(app, orders, indexes)
    drain: dict[str, float] = {}
    effects: dict[str, float] = {}
    queue = job_queue()
    queue.connection.delete(queue.queue("webhooks").key)  # the drainer job: run here instead
    with meter.measure(drain):
        if profiler:
            profiler.enable()
        drained = 0
        while drained < len(indexes):  # a drainer hands over after DRAIN_SECONDS: go on
            reached = drain_webhooks(0)
            if not reached:
                break
            drained += reached
        if profiler:
            profiler.disable()
    if drained != len(indexes):
        raise SystemExit(f"drained {drained} of {len(indexes)} deliveries")
    items = pending_outbox() if RUN_OUTBOX else []  # the Flow triggers, and metafields now due
    queue.connection.delete(queue.queue("outbox").key)  # the jobs enqueued on commit: run here
    with meter.measure(effects):
        if profiler:
            profiler.enable()
        for start in range(0, len(items), 50):
            run_outbox_items(items[start : start + 50])
        if profiler:
            profiler.disable()
    return {"drain": drain, "outbox": effects}


def floor_round(stack: Stack, meter: Meter, orders: PaidOrders, indexes: range) -> dict[str, float]:
    import json

    from benchmarks.floor_worker import award

    figures: dict[str, float] = {}
    with psycopg.connect(stack.database_url, autocommit=True) as conn:
        ids = [
            row[0]
            for row in conn.execute(
                "INSERT INTO floor_events (webhook_id, body) SELECT gen_random_uuid()::text, b "
                "FROM unnest(%s::text[]) AS b RETURNING id",
                ([json.dumps(orders.payload(i)) for i in indexes],),
            ).fetchall()
        ]
        with meter.measure(figures):
            for event_id in ids:
                award(conn, event_id)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.worker_cpu", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--orders", type=int, default=1_000, help="per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--batch", type=int, default=0, help="drain batches of this size (default: DRAIN_BATCH)"
    )
    parser.add_argument(
        "--outbox", choices=("run", "skip"), default="run", help="run the outbox items, or not"
    )
    parser.add_argument("--profile", type=int, default=0, help="print the worker's N costliest")
    parser.add_argument("--profile-out", default="", help="also save the raw profile here")
    parser.add_argument("--database", default="tesmart_bench_worker", help="dropped and recreated")
    parser.add_argument("--redis-db", type=int, default=12, help="flushed")
    args = parser.parse_args(argv)
    import plugin.jobs

    if args.batch:
        plugin.jobs.DRAIN_BATCH = args.batch
    global RUN_OUTBOX
    RUN_OUTBOX = args.outbox == "run"
    with Stack(database=args.database, redis_db=args.redis_db) as stack:
        from benchmarks import scenarios
        from benchmarks.floor_schema import DDL

        fake = stack.start_fake()
        scenarios.seed(stack)
        with psycopg.connect(stack.database_url, autocommit=True) as conn:
            conn.execute(DDL)
        os.environ.update(SHOPIFY_API_SECRET=API_SECRET)
        meter = Meter(fake.pid)
        orders = PaidOrders(scenarios.US, scenarios.KVM_PRODUCT_ID, run=40)
        seed_fake_customers(stack.fake_port, scenarios.US, orders)
        with app_context(stack) as app:
            # Warm: connections, caches, imports; every customer known, as in the benchmark's
            # steady state (500 customers ordering again and again).
            app_round(app, meter, orders, range(orders.customers), None)
            floor_round(stack, meter, orders, range(orders.customers))
            best: dict[str, float] = {}
            start = orders.customers
            for round_ in range(args.rounds):
                indexes = range(start, start + args.orders)
                start += args.orders
                print(f"round {round_ + 1}, {args.orders} paid orders, ms per order:")
                figures = app_round(app, meter, orders, indexes, None)
                total = sum(report(f"app {k}", v, args.orders) for k, v in figures.items())
                floor = report("floor", floor_round(stack, meter, orders, indexes), args.orders)
                print(f"  app {total * 1e3:.3f} ms, floor {floor * 1e3:.3f} ms")
                best["app"] = min(best.get("app", total), total)
                best["floor"] = min(best.get("floor", floor), floor)
            print(f"outbox: {outbox_outcomes()}")
            print(
                f"best: app {best['app'] * 1e3:.3f} ms, floor {best['floor'] * 1e3:.3f} ms CPU per "
                f"order; app/floor {best['app'] / best['floor']:.2f}; load average {load()}"
            )
            if args.profile:
                profiler = cProfile.Profile(time.process_time)
                indexes = range(start, start + args.orders)
                app_round(app, meter, orders, indexes, profiler)
                if args.profile_out:
                    profiler.dump_stats(args.profile_out)
                for order in ("tottime", "cumulative"):
                    out = io.StringIO()
                    pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(args.profile)
                    print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
