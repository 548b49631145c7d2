"""The measurements. Each returns rows for the report; each stops what it started."""

from __future__ import annotations

import json
import random
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psycopg

from benchmarks import loadgen
from benchmarks.loadgen import HttpRequest, RunResult
from benchmarks.stack import SHOP_DOMAINS, Child, Stack, app_context, gunicorn_worker_pids, rss_mib
from benchmarks.traffic import PaidOrders, proxy_request
from tests import payloads

US = SHOP_DOMAINS["us"]
KVM_PRODUCT_ID = 9_100_000_001


@dataclass
class Row:
    benchmark: str
    figure: str
    target: str = ""
    met: bool | None = None
    notes: str = ""
    floor: str = ""  # the same machine's floor for this row, measured in the same run
    ratio: float | None = None  # app / floor


@dataclass
class Settings:
    quick: bool
    ingest_seconds: float
    latency_seconds: float
    concurrency: int
    e2e_seconds: float
    e2e_workers: list[int]
    e2e_floor_workers: list[int]
    read_seconds: float
    read_rate: float
    redemptions: int
    redemption_workers: int
    memory_events: int
    log: Callable[[str], None] = print
    memory: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def for_mode(
        cls, quick: bool, memory_events: int | None, log: Callable[[str], None]
    ) -> Settings:
        if quick:
            return cls(True, 5, 4, 16, 8, [2], [2], 4, 200, 60, 4, memory_events or 0, log)
        events = 100_000 if memory_events is None else memory_events
        # Reads: 20 s at 200/s, 4,000 answers a row. The p99 of 1,600 answers (8 s) is set by the
        # 16 slowest, which one short stall of the machine fills alone: it moved between 5.1 and
        # 12.3 ms in identical runs here. Stalls still count, in proportion to their length.
        return cls(False, 10, 8, 16, 15, [1, 2, 4], [2, 4], 20, 200, 300, 8, events, log)


# --- helpers --------------------------------------------------------------------------------------


def sql(stack: Stack, query: str, params: tuple[Any, ...] = ()) -> Any:
    with psycopg.connect(stack.database_url, autocommit=True) as conn:
        return conn.execute(query, params).fetchone()[0]  # type: ignore[index]


def reset_events(stack: Stack) -> None:
    """Forget the previous phase's deliveries and queued jobs (the shops and catalogue stay)."""
    with psycopg.connect(stack.database_url, autocommit=True) as conn:
        conn.execute("DELETE FROM webhook_events")
    stack.flush_redis()


def wait_for(condition: Callable[[], bool], timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def wait_workers(stack: Stack, count: int, timeout: float = 30) -> None:
    from redis import Redis
    from rq import Worker

    connection = Redis.from_url(stack.redis_url)
    if not wait_for(lambda: len(Worker.all(connection=connection)) >= count, timeout, 0.2):
        raise RuntimeError(f"{count} rq workers did not start within {timeout}s")


def warm_up(port: int, make: Callable[[int], HttpRequest], count: int = 200) -> None:
    loadgen.run(loadgen.closed_loop(port, make, concurrency=8, duration=30, limit=count))


def expect_2xx(status: int, body: bytes) -> None:
    if not 200 <= status < 300:
        raise AssertionError(f"unexpected {status}: {body[:300]!r}")


def seed(stack: Stack) -> None:
    """The four shops with their default catalogues, and the KVM switch every benchmark order
    buys."""
    from plugin.extensions import db
    from plugin.shops.products import upsert_product
    from plugin.shops.registry import add_shop

    with app_context(stack):
        for region, domain in SHOP_DOMAINS.items():
            shop = add_shop(domain, region, token="bench-offline-token")
            if region == "us":
                upsert_product(shop, payloads.product(KVM_PRODUCT_ID, product_type="KVM Switch"))
        db.session.commit()


def routes(stack: Stack) -> set[tuple[str, str]]:
    with app_context(stack) as app:
        return {
            (method, rule.rule)
            for rule in app.url_map.iter_rules()
            for method in rule.methods or ()
        }


# --- webhook ingest -------------------------------------------------------------------------------


def ingest(
    stack: Stack, settings: Settings, label: str, app_spec: str, run: int
) -> tuple[RunResult, RunResult]:
    """Max rate (closed loop), then p50/p99 at half that rate (open loop); no rq workers run, so
    only the acknowledgement path is measured."""
    orders = PaidOrders(US, KVM_PRODUCT_ID, run=run)
    web = stack.start_web(app_spec, name=f"web-{label}")
    try:
        counter = iter(range(10_000_000))
        make = lambda _i: orders.request(next(counter))  # noqa: E731  (unique deliveries)
        warm_up(stack.web_port, make)
        best = loadgen.run(
            loadgen.closed_loop(
                stack.web_port,
                make,
                concurrency=settings.concurrency,
                duration=settings.ingest_seconds,
            )
        )
        settings.log(f"  {label} ingest max: {best.summary()}")
        half = loadgen.run(
            loadgen.open_loop(
                stack.web_port,
                make,
                rate=max(best.rate / 2, 1),
                duration=settings.latency_seconds,
            )
        )
        settings.log(f"  {label} ingest at half ({best.rate / 2:.0f}/s): {half.summary()}")
        return best, half
    finally:
        stack.stop_child(web)
        reset_events(stack)


def ingest_rows(stack: Stack, settings: Settings) -> list[Row]:
    with psycopg.connect(stack.database_url, autocommit=True) as conn:
        from benchmarks.floor_schema import DDL

        conn.execute(DDL)
    # Alternate app and floor rounds and keep each one's best: the machine is shared, and a burst of
    # someone else's work during one round should not decide the ratio.
    app_runs, floor_runs = [], []
    for round_ in range(1 if settings.quick else 2):
        app_runs.append(ingest(stack, settings, "app", "plugin:create_app()", run=1 + 2 * round_))
        floor_runs.append(
            ingest(stack, settings, "floor", "benchmarks.floor:app", run=2 + 2 * round_)
        )
    app_best, app_half = max(app_runs, key=lambda pair: pair[0].rate)
    floor_best, floor_half = max(floor_runs, key=lambda pair: pair[0].rate)
    ratio = app_best.rate / floor_best.rate if floor_best.rate else 0.0
    p99 = app_half.percentile(99)
    return [
        Row(
            "Webhook ingest, app (orders/paid, max)",
            f"{app_best.rate:.0f}/s",
            "≥ 0.80 of floor",
            ratio >= 0.8,
            floor=f"{floor_best.rate:.0f}/s",
            ratio=ratio,
            notes=f"p50 {app_best.percentile(50):.1f} ms, p99 {app_best.percentile(99):.1f} ms at "
            f"max, {settings.concurrency} clients",
        ),
        Row(
            "Webhook ingest, floor (max)",
            f"{floor_best.rate:.0f}/s",
            notes=f"p50 {floor_best.percentile(50):.1f} ms, p99 {floor_best.percentile(99):.1f} ms "
            "at max",
        ),
        Row("Webhook ingest, ratio app/floor", f"{ratio:.2f}", "≥ 0.80", ratio >= 0.8),
        Row(
            f"Webhook ack latency, app at half max ({app_best.rate / 2:.0f}/s)",
            f"p50 {app_half.percentile(50):.1f} ms, p99 {p99:.1f} ms",
            "p99 < 25 ms",
            p99 < 25,
            notes=_late(app_half),
        ),
        Row(
            f"Webhook ack latency, floor at half max ({floor_best.rate / 2:.0f}/s)",
            f"p50 {floor_half.percentile(50):.1f} ms, p99 {floor_half.percentile(99):.1f} ms",
            notes=_late(floor_half),
        ),
    ]


def _late(result: RunResult) -> str:
    bad = {s: n for s, n in result.statuses.items() if not 200 <= s < 300}
    parts = [f"{result.ok} answers"]
    if result.late:
        parts.append(f"{result.late} sent late by the generator")
    dropped = result.errors.get("in_flight_cap", 0)
    if dropped:
        parts.append(f"{dropped} not sent (512 already waiting: the server fell behind)")
    errors = {k: v for k, v in result.errors.items() if k != "in_flight_cap"}
    if bad or errors:
        parts.append(f"failures {bad or ''}{errors or ''}")
    return ", ".join(parts)


# --- end to end -----------------------------------------------------------------------------------


def deliver_and_wait(
    stack: Stack, settings: Settings, orders: PaidOrders, counted: Callable[[], int]
) -> dict[str, Any]:
    """Deliveries at the web tier's pace for ``e2e_seconds`` while the workers apply them, then up
    to twice as long for the backlog. The rate is orders in the ledger over the time from the first
    delivery to the last entry (or to the deadline, with the backlog reported)."""
    started = time.perf_counter()
    sent = loadgen.run(
        loadgen.closed_loop(
            stack.web_port,
            orders.request,
            concurrency=settings.concurrency,
            duration=settings.e2e_seconds,
            check=expect_2xx,
        )
    )
    acked = sent.ok
    wait_for(lambda: counted() >= acked, settings.e2e_seconds * 2, 0.25)
    finished = time.perf_counter()
    done = counted()
    return {
        "rate": done / (finished - started),
        "acked": acked,
        "ack_rate": sent.rate,
        "done": done,
        "backlog": acked - done,
        "seconds": finished - started,
    }


def counter(stack: Stack, query: str, prefix: str) -> Callable[[], int]:
    def counted() -> int:
        with psycopg.connect(stack.database_url, autocommit=True) as conn:
            return int(conn.execute(query, (prefix + "%",)).fetchone()[0])  # type: ignore[index]

    return counted


def end_to_end(
    stack: Stack, settings: Settings, workers: int, run: int, web: Child
) -> dict[str, Any]:
    """Paid orders per second from delivery to points in the ledger, with ``workers`` rq workers."""
    reset_events(stack)
    children = stack.start_workers(workers)
    try:
        wait_workers(stack, workers)
        orders = PaidOrders(US, KVM_PRODUCT_ID, run=run)
        prefix = f"order:{orders.order_id(0) // 10_000_000}"
        counted = counter(
            stack,
            "SELECT count(*) FROM point_entries WHERE kind = 'order' AND cause_key LIKE %s",
            prefix,
        )
        worker_rss = [rss_mib(child.pid) for child in children]
        web_pids = gunicorn_worker_pids(web)
        web_rss = [rss_mib(pid) for pid in web_pids]
        result = deliver_and_wait(stack, settings, orders, counted)
        result["worker_rss"] = (max(worker_rss), max(rss_mib(child.pid) for child in children))
        result["web_rss"] = (max(web_rss), max(rss_mib(pid) for pid in web_pids))
        settings.log(
            f"  end to end, {workers} worker(s): {result['done']} of {result['acked']} orders in "
            f"the ledger in {result['seconds']:.1f}s = {result['rate']:.0f}/s (acknowledged at "
            f"{result['ack_rate']:.0f}/s; backlog {result['backlog']})"
        )
        return result
    finally:
        stack.stop_all(children)


def end_to_end_floor(stack: Stack, settings: Settings, workers: int, run: int) -> dict[str, Any]:
    """The same measurement on the floor: benchmarks/floor.py receiving, benchmarks/floor_worker.py
    applying (one transaction per order: processed mark, ledger entry, balance)."""
    with psycopg.connect(stack.database_url, autocommit=True) as conn:
        from benchmarks.floor_schema import DDL

        conn.execute(DDL)
    stack.flush_redis()
    web = stack.start_web("benchmarks.floor:app", name="web-floor-e2e")
    children = [
        stack.spawn(f"floor-worker-{i}", [sys.executable, "-m", "benchmarks.floor_worker"])
        for i in range(workers)
    ]
    try:
        orders = PaidOrders(US, KVM_PRODUCT_ID, run=run)
        prefix = f"order:{orders.order_id(0) // 10_000_000}"
        counted = counter(
            stack, "SELECT count(*) FROM floor_ledger WHERE cause_key LIKE %s", prefix
        )
        warm_up(stack.web_port, PaidOrders(US, KVM_PRODUCT_ID, run=run + 1).request, 50)
        result = deliver_and_wait(stack, settings, orders, counted)
        settings.log(
            f"  end to end floor, {workers} worker(s): {result['done']} of {result['acked']} "
            f"orders in {result['seconds']:.1f}s = {result['rate']:.0f}/s (acknowledged at "
            f"{result['ack_rate']:.0f}/s)"
        )
        return result
    finally:
        stack.stop_all(children)
        stack.stop_child(web)


def end_to_end_rows(stack: Stack, settings: Settings) -> list[Row]:
    web = stack.start_web(name="web-e2e")
    rows = []
    events = 0
    app_best = 0.0
    try:
        warm_up(stack.web_port, PaidOrders(US, KVM_PRODUCT_ID, run=9).request, 50)
        last: dict[str, Any] = {}
        first_web_rss: float | None = None
        for index, workers in enumerate(settings.e2e_workers):
            last = end_to_end(stack, settings, workers, 10 + index, web)
            first_web_rss = last["web_rss"][0] if first_web_rss is None else first_web_rss
            events += last["acked"]
            app_best = max(app_best, last["rate"])
            note = (
                f"{last['done']:,} orders in {last['seconds']:.0f}s, deliveries acknowledged at "
                f"{last['ack_rate']:.0f}/s meanwhile"
            )
            if last["backlog"]:
                note += f"; {last['backlog']:,} still queued at the deadline"
            rows.append(
                Row(
                    f"End to end, {workers} rq worker(s)",
                    f"{last['rate']:.0f} orders/s",
                    "1,000 orders/s",
                    last["rate"] >= 1000,
                    note,
                )
            )
        web_rss = (first_web_rss, last["web_rss"][1]) if last else None
        settings.memory = {
            "events": events,
            "web": web_rss,
            "worker": last.get("worker_rss"),
            "workers": settings.e2e_workers[-1],
        }
    finally:
        stack.stop_child(web)
    # The same machine's ceiling for any implementation that records a delivery before answering
    # and applies it in a transaction of its own: if the floor cannot reach the target, nothing can.
    floor_best = 0.0
    for workers in settings.e2e_floor_workers:
        floor = end_to_end_floor(stack, settings, workers, 20 + workers)
        floor_best = max(floor_best, floor["rate"])
        rows.append(
            Row(
                f"End to end, floor, {workers} worker(s)",
                f"{floor['rate']:.0f} orders/s",
                "",
                None,
                f"{floor['done']:,} orders in {floor['seconds']:.0f}s, acknowledged at "
                f"{floor['ack_rate']:.0f}/s; benchmarks/floor.py + benchmarks/floor_worker.py",
            )
        )
    if floor_best:
        ratio = app_best / floor_best
        for row in rows:
            if row.benchmark.endswith("rq worker(s)"):
                row.floor, row.ratio = (
                    f"{floor_best:.0f} orders/s",
                    float(row.figure.split()[0]) / floor_best,
                )
        rows.append(
            Row(
                "End to end, ratio app/floor",
                f"{ratio:.2f}",
                "≥ 0.80",
                ratio >= 0.8,
                f"best app row {app_best:.0f}/s against the floor's best {floor_best:.0f}/s",
            )
        )
    return rows


# --- storefront reads -----------------------------------------------------------------------------


def seed_members(stack: Stack, count: int, run: int, points: int = 0) -> list[int]:
    """``count`` activated members of the US shop, each with one paid order (so one KVM device)."""
    from plugin import ledger
    from plugin.accounts import activate, member_for_customer
    from plugin.extensions import db
    from plugin.models.types import utcnow
    from plugin.shops.registry import find_shop
    from webhooks.handlers import orders as order_handlers

    orders = PaidOrders(
        US, KVM_PRODUCT_ID, run=run, customers=count, customer_base=8_000_000 + run * 100_000
    )
    customers = []
    with app_context(stack):
        shop = find_shop(US)
        assert shop is not None
        for index in range(count):
            order_handlers.paid(shop, orders.payload(index))
            member = member_for_customer(shop, str(orders.customer_id(index)))
            assert member is not None
            activate(member, utcnow(), "bench")
            if points:
                ledger.post_entry(
                    shop_id=shop.id,
                    member_id=member.id,
                    delta=points,
                    kind="adjustment",
                    cause_key=f"bench:{run}:{index}",
                )
            db.session.commit()
            customers.append(orders.customer_id(index))
        db.session.commit()
    return customers


def device_ids(stack: Stack, customers: list[int]) -> dict[int, int]:
    with psycopg.connect(stack.database_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT c.customer_id, min(d.id) FROM devices d JOIN shop_customers c ON c.member_id = "
            "d.member_id AND c.shop_id = d.shop_id GROUP BY c.customer_id"
        ).fetchall()
    wanted = {str(c) for c in customers}
    return {int(customer): device for customer, device in rows if customer in wanted}


READ_ROUNDS = 2


def read_rows(stack: Stack, settings: Settings) -> list[Row]:
    available = routes(stack)
    # A quote that writes counts against the per-customer write limit (20 a minute); these are
    # refused (the devices were bought today: too early) and write nothing. Spread them anyway.
    customers = seed_members(stack, 300, run=30)
    devices = device_ids(stack, customers)
    picker = random.Random(7)
    endpoints: list[tuple[str, Callable[[int], HttpRequest] | None, str]] = [
        (
            "GET /proxy/member",
            lambda _i: proxy_request("GET", "/member", US, picker.choice(customers)),
            "",
        ),
    ]
    if ("GET", "/proxy/devices") in available:
        endpoints.append(
            (
                "GET /proxy/devices",
                lambda _i: proxy_request("GET", "/devices", US, picker.choice(customers)),
                "",
            )
        )
    else:
        endpoints.append(("GET /proxy/devices", None, "skipped: the route does not exist yet"))
    if ("POST", "/proxy/trade-in/quote") in available:
        owners = list(devices)

        def quote(index: int) -> HttpRequest:
            customer = owners[index % len(owners)]
            body = {
                "device_id": devices[customer],
                "condition": {
                    "cosmetic_wear": True,
                    "accessories_complete": True,
                    "original_packaging": False,
                    "working": True,
                },
            }
            return proxy_request("POST", "/trade-in/quote", US, customer, body=body)

        endpoints.append(("POST /proxy/trade-in/quote", quote, ""))
    else:
        endpoints.append(
            ("POST /proxy/trade-in/quote", None, "skipped: the route does not exist yet")
        )

    rows = []
    web = stack.start_web(name="web-reads")
    measured = [(label, make) for label, make, _note in endpoints if make is not None]
    rounds: dict[str, list[RunResult]] = {label: [] for label, _make in measured}
    try:
        # Two rounds, the endpoints taking turns, and each one's better round kept (as ingest and
        # end to end keep their best): a stall of the shared machine lands in one round, not in
        # the endpoint. Both rounds' p99 are in the notes.
        for _round in range(READ_ROUNDS):
            for label, make in measured:
                warm_up(stack.web_port, make, 100)
                result = loadgen.run(
                    loadgen.open_loop(
                        stack.web_port,
                        make,
                        rate=settings.read_rate,
                        duration=settings.read_seconds,
                    )
                )
                settings.log(f"  {label} at {settings.read_rate:.0f}/s: {result.summary()}")
                rounds[label].append(result)
        capacities = {}
        for label, make in measured:
            capacity = loadgen.run(
                loadgen.closed_loop(
                    stack.web_port,
                    make,
                    concurrency=settings.concurrency,
                    duration=min(settings.read_seconds, 5),
                )
            )
            settings.log(f"  {label} at the most it serves: {capacity.summary()}")
            capacities[label] = capacity
    finally:
        stack.stop_child(web)
    for label, make, note in endpoints:
        name = f"Storefront {label} at {settings.read_rate:.0f}/s"
        if make is None:
            rows.append(Row(name, "—", "p99 < 8 ms", None, note))
            continue
        complete = [r for r in rounds[label] if r.ok == r.sent and not r.errors]
        result = min(complete or rounds[label], key=lambda r: r.percentile(99))
        p99 = result.percentile(99)
        each = " and ".join(f"{r.percentile(99):.1f}" for r in rounds[label])
        rows.append(
            Row(
                name,
                f"p50 {result.percentile(50):.1f} ms, p99 {p99:.1f} ms",
                "p99 < 8 ms",
                p99 < 8 and bool(complete),
                f"{_late(result)}, the better of {len(rounds[label])} rounds (p99 {each} ms); "
                f"serves at most {capacities[label].rate:.0f}/s",
            )
        )
    return rows


# --- redemptions ----------------------------------------------------------------------------------


def fake_stats(stack: Stack) -> dict[str, Any]:
    with urllib.request.urlopen(
        f"http://127.0.0.1:{stack.fake_port}/_bench/stats", timeout=5
    ) as response:
        return json.loads(response.read())


def redemption_rows(stack: Stack, settings: Settings, fake: Child) -> list[Row]:
    available = routes(stack)
    title = (
        "Redemptions against the fake Admin API (100 ms, Shopify's bucket), "
        f"{settings.redemption_workers} workers"
    )
    if ("POST", "/proxy/redemptions") not in available:
        return [
            Row(
                title,
                "—",
                "no THROTTLED",
                None,
                "skipped: POST /proxy/redemptions does not exist yet",
            )
        ]
    from sqlalchemy import select

    from plugin.extensions import db
    from plugin.models import Reward
    from plugin.shops.registry import find_shop

    with app_context(stack):
        shop = find_shop(US)
        rewards = (
            db.session.execute(
                select(Reward).where(Reward.shop_id == shop.id).order_by(Reward.points)
            )
            .scalars()
            .all()
        )  # type: ignore[union-attr]
        reward_id, cost = rewards[0].id, rewards[0].points
    customers = seed_members(stack, settings.redemptions, run=40, points=cost)
    stack.stop_child(fake)
    fake = stack.start_fake(latency_ms=100)
    seed = json.dumps(
        {
            "shop": US,
            "customers": [{"id": c, "email": f"member{c}@bench.example"} for c in customers],
        }
    ).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{stack.fake_port}/_bench/customers",
        data=seed,
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(request, timeout=30).close()
    reset_events(stack)
    web = stack.start_web(name="web-redemptions")
    workers = stack.start_workers(settings.redemption_workers, queues="outbox,default")
    try:
        wait_workers(stack, settings.redemption_workers)
        started = time.perf_counter()
        posted = loadgen.run(
            loadgen.closed_loop(
                stack.web_port,
                lambda i: proxy_request(
                    "POST", "/redemptions", US, customers[i], body={"reward_id": reward_id}
                ),
                concurrency=8,
                duration=120,
                limit=len(customers),
            )
        )
        count_sql = "SELECT count(*) FROM redemptions WHERE state = 'issued'"
        wait_for(lambda: sql(stack, count_sql) >= posted.ok, 30 if settings.quick else 60, 0.2)
        elapsed = time.perf_counter() - started
        issued = sql(stack, count_sql)
        stats = fake_stats(stack)
        throttled = stats["outcomes"].get("throttled", 0)
        rate = issued / elapsed
        settings.log(
            f"  redemptions: {posted.summary()}; {issued} codes issued in {elapsed:.1f}s = "
            f"{rate:.1f}/s; fake: {stats['outcomes']}"
        )
        return [
            Row(
                title,
                f"{rate:.1f} codes/s",
                "bucket never exceeded (0 THROTTLED)",
                throttled == 0 and issued == posted.ok,
                f"{issued} of {len(customers)} codes issued within the wait; fake answered "
                f"{stats['outcomes']}; every worker process budgets against one estimate of the "
                "bucket shared in Redis (plugin.shopify.redis_buckets.RedisCostBuckets: an atomic "
                "Lua take on the Redis server's clock), so the workers together wait for the "
                "bucket instead of overspending it; a THROTTLED answer would still be retried, "
                "never lost; Shopify's Standard bucket (1,000 points, 100/s restore) caps a code "
                "at 10 points → 10 codes/s sustained",
            )
        ]
    finally:
        stack.stop_all(workers)
        stack.stop_child(web)


# --- memory ---------------------------------------------------------------------------------------


def memory_rows(stack: Stack, settings: Settings) -> list[Row]:
    """RSS of the largest web and worker process before and after the events that went through
    them: the end to end run's, or a dedicated run of ``--memory-events`` paid orders."""
    if settings.memory_events:
        return dedicated_memory_rows(stack, settings)
    seen = settings.memory
    if not seen or not seen.get("web"):
        return [
            Row(
                "Memory",
                "—",
                notes="skipped: runs with the end to end part, or with --memory-events N",
            )
        ]
    web, worker = seen["web"], seen["worker"]
    return [
        Row(
            f"Memory, largest web process, over {seen['events']:,} deliveries",
            f"{web[0]:.0f} → {web[1]:.0f} MiB RSS",
            "100,000 events",
            None,
            "before/after the last end to end run; the web processes served every end to end "
            "delivery",
        ),
        Row(
            f"Memory, largest rq worker, last end to end run ({seen['workers']} workers)",
            f"{worker[0]:.0f} → {worker[1]:.0f} MiB RSS",
            "100,000 events",
            None,
            "a fresh worker set per end to end run; --memory-events N for a longer dedicated run",
        ),
    ]


def dedicated_memory_rows(stack: Stack, settings: Settings) -> list[Row]:
    """``--memory-events`` paid orders through the web tier and two workers, in ten slices; the
    RSS of the largest web and worker process is sampled after each slice, so a leak shows as a
    slope, not only as a difference."""
    reset_events(stack)
    web = stack.start_web(name="web-memory")
    workers = stack.start_workers(2)
    pending = "SELECT count(*) FROM webhook_events WHERE state = 'received'"
    try:
        wait_workers(stack, 2)
        orders = PaidOrders(US, KVM_PRODUCT_ID, run=50, customers=5_000)
        warm_up(stack.web_port, lambda i: orders.request(10_000_000 - 1 - i), 200)
        wait_for(lambda: sql(stack, pending) == 0, 60)
        web_pids = gunicorn_worker_pids(web)

        def sample() -> tuple[float, float]:
            return max(rss_mib(pid) for pid in web_pids), max(rss_mib(w.pid) for w in workers)

        samples = [(0, *sample())]
        started = time.perf_counter()
        total = settings.memory_events
        step = max(total // 10, 1)
        sent = 0
        while sent < total:
            count = min(step, total - sent)
            offset = sent
            result = loadgen.run(
                loadgen.closed_loop(
                    stack.web_port,
                    lambda i, offset=offset: orders.request(offset + i),  # type: ignore[misc]
                    concurrency=settings.concurrency,
                    duration=600,
                    limit=count,
                    check=expect_2xx,
                )
            )
            sent += result.ok
            if result.ok < count:
                raise RuntimeError(f"only {result.ok} of {count} deliveries acknowledged")
            samples.append((sent, *sample()))
        wait_for(lambda: sql(stack, pending) == 0, 1800, 0.5)
        elapsed = time.perf_counter() - started
        processed = sql(stack, "SELECT count(*) FROM webhook_events WHERE state = 'processed'")
        samples.append((processed, *sample()))
        curve_web = ", ".join(f"{w:.0f}" for _, w, _ in samples)
        curve_worker = ", ".join(f"{k:.0f}" for _, _, k in samples)
        settings.log(
            f"  memory: {sent} events in {elapsed:.0f}s; web MiB {curve_web}; worker MiB "
            f"{curve_worker}"
        )
        first, middle, last = samples[0], samples[len(samples) // 2], samples[-1]

        def flat(index: int) -> bool:
            # No leak: the second half of the run adds under 5% to what the first half reached.
            return last[index] <= middle[index] * 1.05

        target = "100,000 events; second half grows < 5%"
        return [
            Row(
                f"Memory, largest web process after {sent:,} events",
                f"{first[1]:.0f} → {last[1]:.0f} MiB RSS",
                target,
                sent >= 100_000 and flat(1),
                f"{len(web_pids)} gunicorn workers shared the deliveries; after each tenth: "
                f"{curve_web} MiB",
            ),
            Row(
                f"Memory, largest rq worker after {processed:,} events",
                f"{first[2]:.0f} → {last[2]:.0f} MiB RSS",
                target,
                processed >= 100_000 and flat(2),
                f"2 workers shared the jobs; after each tenth: {curve_worker} MiB; run took "
                f"{elapsed:.0f}s",
            ),
        ]
    finally:
        stack.stop_all(workers)
        stack.stop_child(web)
