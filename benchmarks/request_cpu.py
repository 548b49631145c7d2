"""CPU per request in this process (WSGI, no server, no socket), for profiling.

    python -m benchmarks.request_cpu                       # ingest: the app's receiver vs the floor
    python -m benchmarks.request_cpu --profile 25          # and the app's 25 costliest calls
    python -m benchmarks.request_cpu --part reads          # the storefront reads, statements too

``ingest`` delivers ``orders/paid`` to the app's receiver and to the floor's
(benchmarks/floor.py) alternately, on the same PostgreSQL and Redis. What the HTTP benchmark's
ratio also holds (gunicorn, the generator, the kernel) is left out: the figures are the Python
each receiver spends per delivery, the INSERT's and the RPUSH's round trips included (their wait
is not CPU; wall time is printed beside it). ``reads`` sends the benchmark's storefront reads
(GET /proxy/member, GET /proxy/devices, POST /proxy/trade-in/quote) and counts the SQL statements
each one sends.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import sys
import time
from collections.abc import Callable
from typing import Any

import psycopg
from sqlalchemy import event
from werkzeug.test import EnvironBuilder

from benchmarks.loadgen import HttpRequest
from benchmarks.stack import API_SECRET, Stack, app_context
from benchmarks.traffic import PaidOrders, proxy_request

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Any]


def environ_of(request: HttpRequest) -> dict[str, Any]:
    path, _, query = request.path.partition("?")
    builder = EnvironBuilder(
        path=path,
        query_string=query,
        method=request.method,
        headers=request.headers,
        data=request.body,
    )
    return builder.get_environ()


def send(app: WsgiApp, batch: list[dict[str, Any]]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) per request over the batch; every answer must be 2xx."""
    statuses: list[str] = []

    def start_response(status: str, _headers: Any, _exc: Any = None) -> None:
        statuses.append(status)

    cpu, wall = time.process_time(), time.perf_counter()
    for environ in batch:
        for _chunk in app(environ, start_response):
            pass
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    bad = [s for s in statuses if not s.startswith("2")]
    if bad:
        raise SystemExit(f"{len(bad)} requests were refused, e.g. {bad[0]}")
    return cpu / len(batch), wall / len(batch)


def profile(app: WsgiApp, batch: list[dict[str, Any]], top: int, out_path: str) -> None:
    profiler = cProfile.Profile(time.process_time)  # CPU, not the waits
    profiler.enable()
    send(app, batch)
    profiler.disable()
    if out_path:
        profiler.dump_stats(out_path)
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(top)
        print(out.getvalue())


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.3f} ms"


def load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def ingest(stack: Stack, args: argparse.Namespace) -> None:
    from benchmarks import scenarios
    from benchmarks.floor_schema import DDL

    with psycopg.connect(stack.database_url, autocommit=True) as conn:
        conn.execute(DDL)
    # The floor reads its settings from the environment when imported.
    os.environ.update(
        SHOPIFY_API_SECRET=API_SECRET, DATABASE_URL=stack.database_url, REDIS_URL=stack.redis_url
    )
    from benchmarks import floor

    orders = PaidOrders(scenarios.US, scenarios.KVM_PRODUCT_ID, run=9)
    counter = iter(range(10_000_000))

    def batch(count: int) -> list[dict[str, Any]]:  # built before the clock starts
        return [environ_of(orders.request(next(counter))) for _ in range(count)]

    with app_context(stack) as app:
        receivers: dict[str, WsgiApp] = {"app": app.wsgi_app, "floor": floor.app.wsgi_app}
        for receiver in receivers.values():  # warm: connections, caches, imports
            send(receiver, batch(50))
        best: dict[str, float] = {}
        for round_ in range(args.rounds):
            for name, receiver in receivers.items():
                cpu, wall = send(receiver, batch(args.requests))
                print(f"round {round_ + 1} {name:<5} {ms(cpu)} CPU, {ms(wall)} wall per delivery")
                best[name] = min(best.get(name, cpu), cpu)
            stack.flush_redis()
        print(
            f"best: app {ms(best['app'])}, floor {ms(best['floor'])} CPU per delivery; floor/app "
            f"{best['floor'] / best['app']:.2f}; load average {load()}"
        )
        if args.profile:
            profile(receivers["app"], batch(args.requests), args.profile, args.profile_out)


def reads(stack: Stack, args: argparse.Namespace) -> None:
    from benchmarks import scenarios

    customers = scenarios.seed_members(stack, 60, run=30)
    devices = scenarios.device_ids(stack, customers)
    picker = random.Random(7)
    condition = {
        "cosmetic_wear": True,
        "accessories_complete": True,
        "original_packaging": False,
        "working": True,
    }
    makers: dict[str, Callable[[int], HttpRequest]] = {
        "GET /proxy/member": lambda _i: proxy_request(
            "GET", "/member", scenarios.US, picker.choice(customers)
        ),
        "GET /proxy/devices": lambda _i: proxy_request(
            "GET", "/devices", scenarios.US, picker.choice(customers)
        ),
        # A quote that writes counts against the per-customer write limit (20 a minute); these
        # are refused (too early) and write nothing. One customer each all the same.
        "POST /proxy/trade-in/quote": lambda i: proxy_request(
            "POST",
            "/trade-in/quote",
            scenarios.US,
            customers[i % len(customers)],
            body={"device_id": devices[customers[i % len(customers)]], "condition": condition},
        ),
    }
    with app_context(stack) as app:
        from plugin.extensions import db

        statements = [0]

        @event.listens_for(db.engine, "before_cursor_execute")
        def _count(*_args: Any) -> None:
            statements[0] += 1

        for label, make in makers.items():
            count = min(args.requests, 15 if "quote" in label else args.requests)
            send(app.wsgi_app, [environ_of(make(i)) for i in range(5)])  # warm
            best = float("inf")
            for _round in range(args.rounds):
                batch = [environ_of(make(i)) for i in range(count)]
                statements[0] = 0
                cpu, wall = send(app.wsgi_app, batch)
                best = min(best, cpu)
                print(
                    f"{label:<27} {ms(cpu)} CPU, {ms(wall)} wall, "
                    f"{statements[0] / count:.1f} statements per request"
                )
            print(f"{label:<27} best {ms(best)} CPU; load average {load()}")
            if args.profile:
                name = label.split()[1].strip("/").replace("/", "-")
                profile(
                    app.wsgi_app,
                    [environ_of(make(i)) for i in range(count)],
                    args.profile,
                    args.profile_out and f"{args.profile_out}.{name}",
                )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.request_cpu", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--part", choices=("ingest", "reads"), default="ingest")
    parser.add_argument("--requests", type=int, default=2_000, help="per round and endpoint")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", type=int, default=0, help="print the app's N costliest calls")
    parser.add_argument(
        "--profile-out", default="", help="also save the raw profile here (reads: one per path)"
    )
    parser.add_argument("--database", default="tesmart_bench_cpu", help="dropped and recreated")
    parser.add_argument("--redis-db", type=int, default=13, help="flushed")
    args = parser.parse_args(argv)
    with Stack(database=args.database, redis_db=args.redis_db) as stack:
        from benchmarks import scenarios

        scenarios.seed(stack)
        (ingest if args.part == "ingest" else reads)(stack, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
