"""CPU per webhook delivery in this process (WSGI, no server, no socket): the app's receiver
against the floor's (benchmarks/floor.py), on the same PostgreSQL and Redis.

    python -m benchmarks.receiver_cpu                   # 3 rounds of 2,000 deliveries each
    python -m benchmarks.receiver_cpu --profile 20      # and the app's 20 costliest functions

What the HTTP benchmark's ratio hides (gunicorn, the generator, the kernel) is left out: the
figures are the Python each receiver spends per ``orders/paid`` delivery, the INSERT's and the
RPUSH's round trips included (the wait is not CPU; wall time is printed beside it).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from collections.abc import Callable
from typing import Any

import psycopg
from werkzeug.test import EnvironBuilder

from benchmarks.stack import API_SECRET, Stack, app_context
from benchmarks.traffic import PaidOrders

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Any]


def environs(orders: PaidOrders, start: int, count: int) -> list[dict[str, Any]]:
    """Ready-made WSGI environs (built before the clock starts), unique deliveries."""
    out = []
    for index in range(start, start + count):
        request = orders.request(index)
        builder = EnvironBuilder(
            path=request.path, method="POST", headers=request.headers, data=request.body
        )
        out.append(builder.get_environ())
    return out


def deliver(app: WsgiApp, batch: list[dict[str, Any]]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) per delivery over the batch; every answer must be 2xx."""
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
        raise SystemExit(f"{len(bad)} deliveries were refused, e.g. {bad[0]}")
    return cpu / len(batch), wall / len(batch)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.receiver_cpu")
    parser.add_argument("--deliveries", type=int, default=2_000, help="per round and receiver")
    parser.add_argument("--rounds", type=int, default=3, help="app and floor alternately")
    parser.add_argument("--profile", type=int, default=0, help="print the app's N costliest calls")
    parser.add_argument("--profile-out", default="", help="also save the raw profile here")
    parser.add_argument("--database", default="tesmart_bench_cpu")
    parser.add_argument("--redis-db", type=int, default=13)
    args = parser.parse_args(argv)

    from benchmarks import scenarios
    from benchmarks.floor_schema import DDL

    with Stack(database=args.database, redis_db=args.redis_db) as stack:
        scenarios.seed(stack)
        with psycopg.connect(stack.database_url, autocommit=True) as conn:
            conn.execute(DDL)
        # The floor reads its settings from the environment when imported.
        os.environ.update(
            SHOPIFY_API_SECRET=API_SECRET,
            DATABASE_URL=stack.database_url,
            REDIS_URL=stack.redis_url,
        )
        from benchmarks import floor

        orders = PaidOrders(scenarios.US, scenarios.KVM_PRODUCT_ID, run=9)
        with app_context(stack) as app:
            receivers: dict[str, WsgiApp] = {"app": app.wsgi_app, "floor": floor.app.wsgi_app}
            start = 0
            for receiver in receivers.values():  # warm: connections, caches, imports
                deliver(receiver, environs(orders, start, 50))
                start += 50
            best: dict[str, tuple[float, float]] = {}
            for round_ in range(args.rounds):
                for name, receiver in receivers.items():
                    batch = environs(orders, start, args.deliveries)
                    start += args.deliveries
                    cpu, wall = deliver(receiver, batch)
                    print(
                        f"round {round_ + 1} {name:<5} {cpu * 1e3:.3f} ms CPU, "
                        f"{wall * 1e3:.3f} ms wall per delivery",
                        flush=True,
                    )
                    if name not in best or cpu < best[name][0]:
                        best[name] = (cpu, wall)
                stack.flush_redis()
            ratio = best["floor"][0] / best["app"][0]
            print(
                f"best: app {best['app'][0] * 1e3:.3f} ms, floor {best['floor'][0] * 1e3:.3f} ms "
                f"CPU per delivery; floor/app {ratio:.2f}; load average "
                f"{' / '.join(f'{x:.2f}' for x in os.getloadavg())}"
            )
            if args.profile:
                batch = environs(orders, start, args.deliveries)
                profiler = cProfile.Profile(time.process_time)  # CPU, not the waits
                profiler.enable()
                deliver(receivers["app"], batch)
                profiler.disable()
                if args.profile_out:
                    profiler.dump_stats(args.profile_out)
                out = io.StringIO()
                stats = pstats.Stats(profiler, stream=out).sort_stats("tottime")
                stats.print_stats(args.profile)
                print(out.getvalue())
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(
                    args.profile
                )
                print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
