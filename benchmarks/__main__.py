"""`make bench` (= `python -m benchmarks`): start the production set-up, measure, print, record.

    python -m benchmarks            # full run, about 19 minutes; writes docs/benchmarks.md
    python -m benchmarks --targets  # issue 20's rows at full size, about 10 minutes; writes it too
    python -m benchmarks --quick    # smoke run, about 4 minutes; prints only (unless --write)

Everything runs on this machine against 127.0.0.1, in a dedicated PostgreSQL database that is
dropped and recreated, and one Redis database that is flushed (choose it with --redis-db).
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import importer_floor, lighthouse, outbox_effects, scenarios
from benchmarks.scenarios import Row, Settings
from benchmarks.stack import ROOT, Stack

PARTS = ("ingest", "e2e", "reads", "redemptions", "memory", "outbox", "import", "lighthouse")
# Issue 20's "Done when": end to end, ingest, reads p99, the import against COPY at the large
# store's size, the Lighthouse drop (--targets runs these alone).
TARGET_PARTS = ("ingest", "e2e", "reads", "import", "lighthouse")
TARGET_IMPORT_ROWS = 200_000


def machine() -> dict[str, str]:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    import psycopg
    from redis import Redis

    try:
        with psycopg.connect("postgresql://postgres@127.0.0.1/postgres") as conn:
            postgres = str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
    except Exception:
        postgres = "unknown"
    try:
        redis_version = str(Redis(host="127.0.0.1").info("server")["redis_version"])
    except Exception:
        redis_version = "unknown"
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "memory": memory,
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "PostgreSQL": postgres,
        "Redis": redis_version,
    }


def table(rows: list[Row]) -> str:
    header = ("benchmark", "measured", "floor", "ratio", "target", "met", "notes")
    body = [
        (
            r.benchmark,
            r.figure,
            r.floor or "—",
            _ratio(r),
            r.target,
            "yes" if r.met else ("no" if r.met is False else "—"),
            r.notes,
        )
        for r in rows
    ]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in body]
    return "\n".join(lines)


def _ratio(row: Row) -> str:
    return "—" if row.ratio is None else f"{row.ratio:.2f}"


def console_table(rows: list[Row]) -> str:
    """Each row beside its floor (measured in the same run) and the ratio app/floor."""
    header = ("benchmark", "measured", "floor", "ratio", "target", "met")
    cells = [
        (
            r.benchmark,
            r.figure,
            r.floor or "—",
            _ratio(r),
            r.target,
            "yes" if r.met else ("no" if r.met is False else "—"),
        )
        for r in rows
    ]
    widths = [max(len(c[i]) for c in [header, *cells]) for i in range(len(header))]
    out = []
    for index, row in enumerate([header, *cells]):
        out.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)))
        if index == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def document(rows: list[Row], info: dict[str, str], args: argparse.Namespace, took: float) -> str:
    command = "make bench" + (
        " ARGS=--quick" if args.quick else " ARGS=--targets" if args.targets else ""
    )
    facts = "\n".join(f"- {k}: {v}" for k, v in info.items())
    taken = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    invoked = " ".join(["python -m benchmarks", *sys.argv[1:]])
    kind = "quick" if args.quick else "issue 20's targets" if args.targets else "full"
    return f"""# Benchmarks

Taken {taken} with `{invoked}`
({kind} run, {took:.0f} s). Regenerate with `{command}`; the command starts
everything itself on 127.0.0.1 (a dedicated PostgreSQL database, one Redis database, gunicorn, rq
workers, the fake Admin API) and stops it afterwards.

## Machine
{facts}

## Set-up
- gunicorn, the Procfile's settings: {args.web_workers} sync workers (2 × cores + 1), access log on,
  `gunicorn.conf.py` (each worker freezes the app's objects out of garbage collection).
  The floor (`benchmarks/floor.py`: verify the HMAC, insert one row, push one Redis entry) runs
  under the same settings, against the same PostgreSQL and Redis.
- rq workers: `flask --app plugin worker` (SimpleWorker), as many as each row says.
- The load generator (`benchmarks/loadgen.py`, asyncio, one connection per request as gunicorn's
  sync workers close after each answer) runs on the same 2 cores as the server, PostgreSQL, Redis
  and the workers: every figure is what the *whole* machine does, generator included. Open-loop
  latencies count from when each request was due, so a stalled server is not hidden (from when it
  went out, if that was earlier: the generator builds each request before it is due and wakes a
  millisecond early, since asyncio's timers fire on epoll's millisecond grid, up to 1 ms late). The
  generator holds its own garbage collection off during each measurement: a full collection of its
  heap paused its event loop for ~50 ms, and every request due meanwhile was charged to the server.
  An answer ends at the last byte its Content-Length names, as for any HTTP client; what the server
  does after it (gunicorn's access line, the app's teardown, the close) is not charged to it.
- Webhook ingest is measured with no rq worker running (the acknowledgement path alone); the end to
  end rows run the web tier and the workers together.

## Results
{table(rows)}

## Reading the figures
{NOTES}
## Resilience suite
Not part of this command: `.venv/bin/pytest -m resilience` (PostgreSQL and Redis parts need
`DATABASE_URL` and `REDIS_URL`; CI runs it in both passes). `RESILIENCE_FULL=1` runs the issue's
counts; on this machine (2026-11-30, after the webhook stream replaced one rq job per delivery)
that run passed: 10,000 paid orders with 40 workers SIGKILLed at random points (webhook drainers,
which hold up to 50 ids popped off the stream), all processed once with exact balances, and 1,000
redemptions with 30 workers SIGKILLed, 1,000 codes at the fake Admin API, none doubled, every
balance exact; 284 s for both.
"""


NOTES = """- **One small machine does everything.** The load averages above show what else ran on
  the same 2 cores; the generator, gunicorn, the workers, PostgreSQL and Redis compete for the same
  CPUs.
  Compare rows of one run with each other (app and floor were run alternately, twice, keeping
  each one's best round) rather than with another machine. Ratios moved by about ±0.03 between
  runs on a quiet machine.
- **Ingest vs floor.** The floor (`benchmarks/floor.py`) does the unavoidable work: HMAC, one
  INSERT, one LPUSH. What the app does on top, per delivery: shopifyapp's verifier (the library
  the project must use for signatures), the header checks, the JSON parse the shape check of the
  body needs (invariant 8), a richer event row. What profiling removed
  (`python -m benchmarks.request_cpu --profile 30`: CPU per delivery in process, WSGI, no server):
  the pool's pre-ping round trip (a socket poll at checkout instead), the rq job per delivery (a
  job hash and a six-command transaction; now one RPUSH onto the webhook stream), SQLAlchemy's pool
  checkout and execution around one INSERT (the receiver's own autocommit connection), the foreign
  key from `webhook_events` to `shops` (its check locked the shop's row on every delivery), Flask
  building the session cookie's signing serializer on every request, and, the largest item left
  after those, shopifyapp's log record of the request: its redaction parsed the whole body and
  serialised it again for a record the app never reads (plugin/shopify_app.py now hands it the
  request without the body, and no URL masking of a path without a query; the HMAC is still
  computed over the body). The Shopify headers are
  read from the WSGI environ once, and gunicorn's access line is formatted once, not twice.
- **End to end.** The target, 1,000 paid orders a second from delivery to points, is not reachable
  on this machine by any implementation that records a delivery before acknowledging it and
  applies it in a transaction of its own: the floor rows measure exactly that (the floor receiver
  plus `benchmarks/floor_worker.py`: one transaction per order with a processed mark, one ledger
  entry and the balance, no ORM, no rules) and stay under 1,000/s with 2 or 4 workers, the web
  tier being the first limit. The app does what the program asks of a paid order: it locks the
  order row, links the customer and the TESmart ID, writes the ledger entry and the balance at the
  order's own time, checks campaigns, registers the KVM device at the price actually paid, and
  looks for a referral. A drained batch (up to 50 events) is one transaction. Its runs of one
  shop's plain paid orders are applied set-based (`plugin/points/order_batch.py`): the shared
  reads once, the program's rules in Python, then one multi-row statement per table (IDs,
  customers, orders, ledger entries and wallets, outbox items, devices), 16 SQL statements for a
  batch of 50 paid orders of known customers and 17 of new ones (tests/webhooks/test_batch_cost.py;
  655 and 755 before, 25 per order before that). Anything unusual (a refund, a discount code, a
  referral visit, a gift campaign, ...) is applied per event in a savepoint of its own, in the same
  batch, and tests/webhooks/test_order_batch.py holds both ways to the same rows. On PostgreSQL
  each table's rows go as one JSON recordset, one statement text whatever the number of rows
  (psycopg re-parsed a multi-row VALUES list on every batch), and a batch's look-ups by many ids
  (its events, customers, orders, products; the outbox's items and members) bind one array
  (`column = ANY(...)`, `plugin.database.sets.one_of`) instead of one parameter per id: psycopg
  caches the conversion of no statement of over 50 parameters, so each was parsed again in
  Python on every batch (the drainer's Python per order fell by about a fifth). Each paid order
  also owes Shopify a Flow trigger, which the floor does not send: an outbox job sends its
  triggers ten to a request
  (one aliased document), 1.0 ms of the machine's CPU a trigger instead of 6.6
  (`python -m benchmarks.worker_cpu` measures the worker's share per order). Webhook events reach
  the workers through the stream, 50 ids per Redis round trip, instead of one rq job each. More
  workers than cores do not help: the 4-worker row shares 2 cores with the web tier and
  PostgreSQL. The price of the batch: two drainers whose batches touch the same customer wait
  for each other's commit.
- **Storefront reads.** One statement loads the shop, the customer, the TESmart ID and the balance
  (`plugin.accounts.shop_visitor`), with only the columns a storefront answer reads (27 of 50: no
  token, secret or cursor of the shop); GET /proxy/devices joins the member's devices and their
  history to that same statement (`plugin.benefits.devices.visitor_with_devices`), and the quote
  joins the one device its body names (the same, by id), each device as the 11 columns its
  view needs, plain rows outside the ORM's identity map. The read views run without BEGIN/ROLLBACK
  on PostgreSQL, which also keeps psycopg's prepared statements (a ROLLBACK discards them). 5-8
  statements per request became 1, 1 and 1 (tests/benefits/test_read_queries.py pins the counts
  and the widths). What a read still costs in process (`python -m benchmarks.request_cpu --part
  reads --profile 40`) is spread out: SQLAlchemy's ORM around the one statement, werkzeug and Flask
  around the request, the pool's checkout, the signature check and the JSON answer. Two items
  were removed from it: psycopg built each result's column descriptions afresh (about 70 µs for
  the 42 columns of GET /proxy/devices; `plugin.database.cursors` now describes each statement's
  result once per process), and the read views ended with a ROLLBACK that walked every loaded row
  to expire it (`reads.finish_reads` ends the reading instead). Each read row is the better of two
  rounds, the three endpoints taking turns; the notes give both rounds' p99. The benchmark's
  quotes are refused (its devices were bought today: too early for a trade-in), so they write
  nothing; a quote that writes a `quoted` trade-in also counts against the per-customer
  storefront write limit (20 a minute, one Redis round trip), and a refused one, a read like
  GET /proxy/devices, no longer does.
- **Redemptions.** Shopify's Standard bucket (1,000 points, 100 points/s) and a code costing 10
  points allow a burst of ~100 codes, then 10 codes/s. The eight workers share one estimate of
  the bucket in Redis (`plugin.shopify.redis_buckets.RedisCostBuckets`): before each call a Lua
  script, on the Redis server's clock, either takes the expected cost from the shared estimate or
  says how long to wait, and each answer reconciles the estimate with Shopify's `throttleStatus`
  without handing back other workers' reservations. So the workers wait for the bucket together
  instead of overspending it (before, with an estimate per process, the fake answered 112
  THROTTLED for 300 codes). A THROTTLED answer would still be retried with the outbox's back-off,
  no code lost or doubled; if Redis is unreachable each worker falls back to its own estimate.
- **Memory.** RSS of the largest gunicorn worker and rq worker, sampled after each tenth of a
  dedicated run of 100,000 paid orders (`--memory-events N` sets the count; 0 takes the end to
  end run's figures instead). The row is met when the second half of the run adds less than 5%.
- **Members import vs COPY.** `benchmarks/importer_floor.py`: `members import` of 20,000 rows
  (2,000 with `--quick`; 200,000, the large store's size, with `--targets` or `--import-rows
  200000`) in this process, then the rows it left in every table copied out, deleted and written
  back with PostgreSQL COPY in one transaction; the floor is that COPY. The import checks each row
  on its own, writes each batch of good rows set-based (COPY where no conflict is possible) and
  commits it together with the run's position, which an interrupted import resumes from.
- **Lighthouse.** `benchmarks/lighthouse.py`: the local storefront (dev mode, SQLite, the demo)
  audited by npm `lighthouse` with the machine's Chromium, mobile preset, performance only; the
  median of `--lighthouse-runs` runs (3) per page. Each shopper's row gives the page's score with
  the app's member status and rewards blocks and its launcher, beside the same page without them;
  the drop is weighted as Built for Shopify weighs home (17%), product (40%) and collection (43%)
  pages, the local storefront's one page kind standing for all three. Total blocking time moves
  most with the machine's load (Chromium's own long tasks, on the page without the app too).
- **Floor and ratio columns.** A row measured against a floor of the same run shows the floor's
  figure and app/floor beside it; compare rows of one run only.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--quick", action="store_true", help="a ~1 minute smoke run")
    parser.add_argument(
        "--targets",
        action="store_true",
        help="the rows issue 20 is done by, at full size (ingest, e2e, reads, the import of "
        f"{TARGET_IMPORT_ROWS:,} rows, lighthouse; no memory run): about 10 minutes",
    )
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated parts of {PARTS}")
    parser.add_argument("--web-workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument(
        "--database", default="tesmart_bench", help="dropped and recreated each run"
    )
    parser.add_argument("--redis-db", type=int, default=14, help="flushed each run")
    parser.add_argument(
        "--memory-events",
        type=int,
        default=None,
        help="paid orders for the memory run (full run: 100,000; 0: the end to end run's figures)",
    )
    parser.add_argument(
        "--import-rows",
        type=int,
        default=None,
        help="rows for the members import row (full run: 20,000; quick: 2,000; the issue's size: "
        "200000)",
    )
    parser.add_argument(
        "--lighthouse-runs",
        type=int,
        default=None,
        help="Lighthouse runs per page and shopper, the median counts (full run: 3; quick: 1)",
    )
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument(
        "--write", action="store_true", help="write the document on a quick run too"
    )
    parser.add_argument("--no-write", action="store_true", help="print only")
    args, rest = parser.parse_known_args(argv)
    if args.targets:
        if args.quick:
            parser.error("--targets is a full-size run: drop --quick")
        args.only = ",".join(TARGET_PARTS)
        args.import_rows = args.import_rows or TARGET_IMPORT_ROWS
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    if parts == ["admin"]:  # the admin pages at the large store (benchmarks/admin_pages.py)
        from benchmarks import admin_pages

        return admin_pages.main(rest)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown parts {sorted(unknown)}")

    def log(message: str) -> None:
        print(message, flush=True)

    def stop(
        signum: int, _frame: object
    ) -> None:  # `timeout`, Ctrl-\\, a closed terminal: still clean up
        raise SystemExit(f"stopped by signal {signum}")

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop)
    settings = Settings.for_mode(args.quick, args.memory_events, log)
    started = time.monotonic()
    rows: list[Row] = []
    info = machine()
    load_before = os.getloadavg()
    log("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()))
    with Stack(
        database=args.database, redis_db=args.redis_db, web_workers=args.web_workers
    ) as stack:
        fake = stack.start_fake()
        scenarios.seed(stack)
        steps = {
            "ingest": lambda: scenarios.ingest_rows(stack, settings),
            "e2e": lambda: scenarios.end_to_end_rows(stack, settings),
            "reads": lambda: scenarios.read_rows(stack, settings),
            "redemptions": lambda: scenarios.redemption_rows(stack, settings, fake),
            "memory": lambda: scenarios.memory_rows(stack, settings),
            # Counts, in-process on its own SQLite file (benchmarks/outbox_effects.py).
            "outbox": lambda: outbox_effects.measure(orders=10 if settings.quick else 50),
            "import": lambda: importer_floor.rows(
                stack.database_url, args.import_rows or (2_000 if args.quick else 20_000)
            ),
            # The local storefront in dev mode on its own SQLite file, audited by npm lighthouse
            # with the machine's Chromium (benchmarks/lighthouse.py).
            "lighthouse": lambda: lighthouse.rows(args.lighthouse_runs or (1 if args.quick else 3)),
        }
        for part in PARTS:
            if part in parts:
                log(f"== {part}")
                try:
                    rows += steps[part]()
                except Exception as exc:  # one broken part must not hide the others' figures
                    log(f"  {part} failed: {type(exc).__name__}: {exc}")
                    rows.append(Row(part, "error", notes=f"{type(exc).__name__}: {exc}"[:200]))
    took = time.monotonic() - started
    load_after = os.getloadavg()
    info["load average (1/5/15 min) at start"] = " / ".join(f"{x:.2f}" for x in load_before)
    info["load average at end"] = " / ".join(f"{x:.2f}" for x in load_after)
    print()
    print(console_table(rows))
    print(f"\n({took:.0f} s; logs of the processes in {stack.log_dir.relative_to(ROOT)})")
    if not args.no_write and (not args.quick or args.write):
        Path(args.output).write_text(document(rows, info, args, took), encoding="utf-8")
        out = Path(args.output)
        print(f"written to {out.relative_to(ROOT) if out.is_relative_to(ROOT) else args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
