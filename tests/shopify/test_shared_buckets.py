"""The throttle estimate shared through Redis (plugin/shopify/redis_buckets.py).

Every test runs against fakeredis (whose Lua runs on lupa), so the default SQLite pass covers the
scripts; with ``REDIS_URL`` set (the PostgreSQL + Redis pass) they run against the real server too.
Each "process" is a separate client with its own RedisCostBuckets, as separate rq workers are.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import fakeredis
import pytest
from flask import Flask
from redis import Redis

from plugin.shopify.client import (
    PROCESS_BUCKETS,
    AdminClient,
    CostBuckets,
    QueryCost,
)
from plugin.shopify.fake import FakeAdminApi, ManualClock
from plugin.shopify.redis_buckets import DEFAULT_PREFIX, RedisCostBuckets
from tests.conftest import TEST_REDIS_URL

from .conftest import SHOP

NAME = "tesmart-us"  # the shop as the client keys it (shop_name)

Connect = Callable[[], Redis]


@pytest.fixture(params=["fakeredis", "redis"])
def connect(request: pytest.FixtureRequest) -> Connect:
    """A factory of clients of one Redis: each call is another process's connection."""
    if request.param == "fakeredis":
        server = fakeredis.FakeServer()
        return lambda: fakeredis.FakeRedis(server=server)
    if not TEST_REDIS_URL:
        pytest.skip("REDIS_URL not set")
    return lambda: Redis.from_url(TEST_REDIS_URL)


@pytest.fixture
def prefix(connect: Connect) -> Iterator[str]:
    """A key prefix of this test's own, removed afterwards (the real Redis db is shared)."""
    name = f"test:{uuid.uuid4().hex}:"
    yield name
    redis = connect()
    keys = list(redis.scan_iter(match=f"{name}*"))
    if keys:
        redis.delete(*keys)


@pytest.fixture
def make_buckets(connect: Connect, prefix: str) -> Callable[..., RedisCostBuckets]:
    def make(**options: Any) -> RedisCostBuckets:
        return RedisCostBuckets(connect(), prefix=prefix, **options)

    return make


def status(
    available: float,
    *,
    maximum: float = 1000,
    rate: float = 100,
    requested: float | None = 10,
    actual: float | None = 10,
) -> QueryCost:
    return QueryCost(
        requested=requested,
        actual=actual,
        maximum_available=maximum,
        currently_available=available,
        restore_rate=rate,
    )


# --- take: check and reserve ----------------------------------------------------------------------


def test_an_unknown_bucket_lets_the_call_go_and_reserves_nothing(make_buckets):
    buckets = make_buckets(clock=lambda: 100.0)
    assert buckets.take(NAME, 10, 0) == 0
    assert buckets.available(NAME, 0) is None


def test_take_reserves_when_affordable_and_otherwise_says_how_long(make_buckets):
    now = [100.0]
    buckets = make_buckets(clock=lambda: now[0])
    buckets.observe(NAME, "TagsAdd", status(25, maximum=100, rate=10), 0)

    assert buckets.take(NAME, 10, 0) == 0
    assert buckets.available(NAME, 0) == pytest.approx(15)
    assert buckets.take(NAME, 20, 0) == pytest.approx(0.5)  # 5 points short at 10 a second
    assert buckets.available(NAME, 0) == pytest.approx(15)  # a "wait" reserves nothing
    now[0] += 0.5
    assert buckets.take(NAME, 20, 0) == 0
    assert buckets.available(NAME, 0) == pytest.approx(0)
    now[0] += 60  # restored, but never past the maximum
    assert buckets.available(NAME, 0) == pytest.approx(100)


def test_a_cost_above_the_maximum_waits_for_a_full_bucket_only(make_buckets):
    buckets = make_buckets(clock=lambda: 100.0)
    buckets.observe(NAME, "OrdersUpdatedSince", status(40, maximum=100, rate=10), 0)
    assert buckets.take(NAME, 500, 0) == pytest.approx(6.0)  # (100 - 40) / 10, not (500 - 40) / 10


def test_the_wait_is_measured_on_the_redis_servers_clock(make_buckets):
    buckets = make_buckets()  # no injected clock: TIME
    buckets.observe(NAME, "TagsAdd", status(0, rate=100), 0)
    wait = buckets.take(NAME, 10, 0)
    assert 0.05 < wait <= 0.1
    time.sleep(wait)  # a real wait: the clock under test is the Redis server's (another process)
    assert buckets.take(NAME, 10, 0) == 0


def test_every_process_sees_what_one_observed(make_buckets):
    one, other = make_buckets(clock=lambda: 100.0), make_buckets(clock=lambda: 100.0)
    one.observe(NAME, "DiscountCodeBasicCreate", status(5, requested=12), 0)
    assert other.expected_cost("DiscountCodeBasicCreate") == 12
    assert other.expected_cost("NeverSeen") == 10  # the default guess
    assert other.take(NAME, 12, 0) == pytest.approx(0.07)
    assert one.take("tesmart-eu", 12, 0) == 0  # buckets are per shop


# --- observe: reconcile without undoing others' reservations --------------------------------------


def test_an_answer_keeps_the_reservations_of_requests_still_in_flight(make_buckets):
    a, b = make_buckets(clock=lambda: 100.0), make_buckets(clock=lambda: 100.0)
    a.observe(NAME, "TagsAdd", status(100, maximum=100), 0)
    assert a.take(NAME, 10, 0) == 0
    assert b.take(NAME, 10, 0) == 0  # both in flight: 80 left
    # Shopify ran A only (it cost 6): it reports 94. Replacing the estimate with 94 would hand
    # back B's 10; A's own unspent 4 points come back instead.
    a.observe(NAME, "TagsAdd", status(94, maximum=100, actual=6), 0, reserved=10)
    assert a.available(NAME, 0) == pytest.approx(84)
    b.observe(NAME, "TagsAdd", status(84, maximum=100, actual=10), 0, reserved=10)
    assert b.available(NAME, 0) == pytest.approx(84)


def test_a_report_below_the_estimate_wins(make_buckets):
    buckets = make_buckets(clock=lambda: 100.0)
    buckets.observe(NAME, "TagsAdd", status(900), 0)
    assert buckets.take(NAME, 10, 0) == 0
    # Points spent unseen (a process without Redis, calls sent before the bucket was known).
    buckets.observe(NAME, "TagsAdd", status(300), 0, reserved=10)
    assert buckets.available(NAME, 0) == pytest.approx(300)


def test_a_throttled_answer_gives_its_reservation_back(make_buckets):
    buckets = make_buckets(clock=lambda: 100.0)
    buckets.observe(NAME, "TagsAdd", status(50), 0)
    assert buckets.take(NAME, 30, 0) == 0
    assert buckets.take(NAME, 15, 0) == 0  # 5 left
    # The 30-point request was THROTTLED: nothing ran (actualQueryCost null), 35 reported.
    buckets.observe(NAME, "Big", status(35, requested=30, actual=None), 0, reserved=30)
    assert buckets.available(NAME, 0) == pytest.approx(35)
    assert buckets.expected_cost("Big") == 30


CASES = [
    # (first report, takes, answer, reserved)
    (status(100, maximum=100), [10, 10], status(94, maximum=100, actual=6), 10),
    (status(900), [10], status(300), 10),
    (status(50), [30, 15], status(35, actual=None), 30),
    (status(1000), [10], status(1000, actual=2), 10),  # credit back capped at the maximum
    (status(100), [], status(100, maximum=2000, rate=200), 0),  # the plan changed
    (status(10, maximum=50), [50], status(0, maximum=50, actual=50), 500),
]


def replay(
    buckets: Any, first: QueryCost, takes: list[float], answer: QueryCost, reserved: float
) -> list[float | None]:
    """The waits `takes` got, then the estimate after `answer`."""
    buckets.observe(NAME, "Op", first, 100.0)
    waits: list[float | None] = [buckets.take(NAME, cost, 100.0) for cost in takes]
    buckets.observe(NAME, "Op", answer, 100.0, reserved=reserved)
    return [*waits, buckets.available(NAME, 100.0)]


@pytest.mark.parametrize(("first", "takes", "answer", "reserved"), CASES)
def test_the_script_and_the_in_process_estimate_agree(make_buckets, first, takes, answer, reserved):
    local = replay(CostBuckets(), first, takes, answer, reserved)
    shared = replay(make_buckets(clock=lambda: 100.0), first, takes, answer, reserved)
    assert shared == pytest.approx(local)


# --- atomic across processes ---------------------------------------------------------------------


def test_concurrent_takes_never_grant_more_than_the_bucket_holds(make_buckets):
    """8 "processes" (threads, each its own connection and buckets object) race for one bucket.

    A check-then-reserve in two steps lets two takers spend the same points; the script may grant
    only what the bucket held plus what it restored meanwhile.
    """
    workers, attempts, cost, maximum, rate = 8, 40, 10.0, 1000.0, 1.0
    began = time.monotonic()
    setup = make_buckets()
    setup.observe(NAME, "DiscountCodeBasicCreate", status(maximum, maximum=maximum, rate=rate), 0)
    everyone = [make_buckets() for _ in range(workers)]
    start = threading.Barrier(workers)
    granted = [0] * workers

    def race(index: int) -> None:
        start.wait()
        for _ in range(attempts):
            if everyone[index].take(NAME, cost, 0) == 0:
                granted[index] += 1

    threads = [threading.Thread(target=race, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began + 0.01  # clock granularity

    total = sum(granted)
    assert total * cost <= maximum + rate * elapsed
    assert total * cost >= maximum  # and everything the bucket held was handed out


class SimulatedTime:
    """Monotonic seconds shared by a set of worker threads that pass only while every one of them
    sleeps: then the clock jumps to the earliest wake-up. A worker held up by the machine (a busy
    CI host, the GIL, a Redis round trip) is not asleep, so no time passes meanwhile; the waits
    the workers compute are the only time there is, and the outcome does not depend on the load.
    """

    def __init__(self, workers: int) -> None:
        self._now = 1000.0
        self._awake = workers
        self._wakes: list[float] = []
        self._changed = threading.Condition()
        self.slept: list[float] = []

    def monotonic(self) -> float:
        with self._changed:
            return self._now

    def sleep(self, seconds: float) -> None:
        with self._changed:
            self.slept.append(seconds)
            wake = self._now + seconds
            self._wakes.append(wake)
            self._awake -= 1
            self._advance()
            while self._now < wake:
                if not self._changed.wait(timeout=30):  # a worker stuck elsewhere: fail, not hang
                    raise RuntimeError("simulated time stalled: a worker neither ran nor slept")
            self._wakes.remove(wake)
            self._awake += 1

    def leave(self) -> None:
        """A worker is done: the others no longer wait for it to sleep."""
        with self._changed:
            self._awake -= 1
            self._advance()

    def _advance(self) -> None:
        if self._awake == 0 and self._wakes:
            self._now = max(self._now, min(self._wakes))
            self._changed.notify_all()


def test_clients_in_several_processes_stay_within_shopifys_bucket(make_buckets):
    """The benchmark's situation in small: workers issuing codes for one store against a fake
    that enforces the bucket (100 points, 1,000/s; a code costs 10). Together they ask for six
    times what the bucket holds; none of them is throttled.

    The fake, the shared estimate and the clients all keep simulated time (``SimulatedTime``), on
    fakeredis and on the real server alike: on the wall clock a worker delayed between reserving
    its points and sending its call for longer than the bucket takes to refill (10 ms here) sees
    the estimate restore its in-flight reservation up to the cap, which the fake's own full
    bucket never gets, and is throttled once under load. The assertions are the bucket's own
    accounting: nothing throttled, every code made, and the waits that made it so."""
    workers, codes = 8, 8
    time_ = SimulatedTime(workers)
    fake = FakeAdminApi(bucket_size=100, restore_rate=1000, clock=time_.monotonic)
    customer = fake.add_customer(SHOP, email="ada@example.com")

    with fake.http_client() as http:

        def client() -> AdminClient:
            return AdminClient(
                SHOP,
                "t",
                http_client=http,
                sleep=time_.sleep,
                clock=time_.monotonic,
                buckets=make_buckets(clock=time_.monotonic),
            )

        client().execute("ShopGet")  # one process learns the bucket; from then on all share it
        errors: list[BaseException] = []
        started = time_.monotonic()

        def issue(worker: int) -> None:
            mine = client()
            try:
                for n in range(codes):
                    mine.execute("DiscountCodeBasicCreate", reward(customer, f"TES-{worker}-{n}"))
            except Exception as exc:  # reported below, with the thread that raised it gone
                errors.append(exc)
            finally:
                time_.leave()

        threads = [threading.Thread(target=issue, args=(w,)) for w in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert errors == []
    assert [call.outcome for call in fake.calls].count("throttled") == 0
    assert len(fake.discount_codes(SHOP)) == workers * codes
    # They did have to wait for one another: 640 points from a bucket of 100 at 1,000 a second
    # take at least 0.54 s, and the waits that took them are all the time that passed.
    elapsed = time_.monotonic() - started
    assert time_.slept and elapsed >= (workers * codes * 10 - 100) / 1000 - 1e-9


def reward(customer: str, code: str) -> dict[str, object]:
    return {
        "title": "TESmart reward",
        "code": code,
        "startsAt": "2026-07-15T00:00:00Z",
        "percentage": 0.3,
        "customerIds": [customer],
    }


def test_the_client_waits_on_the_shared_estimate(make_buckets, clock: ManualClock):
    """The in-process test of waiting before sending, with the shared estimate on a manual clock."""
    fake = FakeAdminApi(clock=clock.monotonic, now=clock.utcnow, bucket_size=30, restore_rate=10)
    customer = fake.add_customer(SHOP, email="ada@example.com")
    buckets = make_buckets(clock=clock.monotonic)
    with fake.http_client() as http:
        client = AdminClient(
            SHOP, "t", http_client=http, sleep=clock.sleep, clock=clock.monotonic, buckets=buckets
        )
        for _ in range(5):
            client.execute("TagsAdd", {"id": customer, "tags": ["member"]})
    assert "throttled" not in [call.outcome for call in fake.calls]
    assert clock.slept == [pytest.approx(1.0), pytest.approx(1.0)]  # 10 points at 10 a second


def test_keys_are_namespaced_and_expire_when_idle(connect: Connect):
    redis = connect()
    buckets = RedisCostBuckets(redis, bucket_idle_seconds=60, cost_idle_seconds=3600)
    try:
        buckets.observe(NAME, "TagsAdd", status(500), 0)
        buckets.take(NAME, 10, 0)
        key = f"{DEFAULT_PREFIX}bucket:{NAME}"
        assert buckets.bucket_key(NAME) == key == "tesmart:shopify:bucket:tesmart-us"
        assert 0 < redis.pttl(key) <= 60_000
        assert 0 < redis.ttl(f"{DEFAULT_PREFIX}costs") <= 3600
    finally:
        redis.delete(buckets.bucket_key(NAME), buckets.costs_key)


# --- Redis down: the process's own estimate ------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_redis_falls_back_to_the_process_estimate(
    caplog: pytest.LogCaptureFixture, clock: ManualClock
):
    # As the app's queue builds its client (from_url: no retries with back-off inside redis-py).
    unreachable = Redis.from_url(f"redis://127.0.0.1:{closed_port()}/0", socket_connect_timeout=0.5)
    fallback = CostBuckets()
    buckets = RedisCostBuckets(unreachable, fallback=fallback)
    with caplog.at_level(logging.WARNING, logger="plugin.shopify.redis_buckets"):
        assert buckets.take(NAME, 10, 0) == 0
    assert "using this process's own" in caplog.text

    buckets.observe(NAME, "TagsAdd", status(5, rate=10, requested=10), 0)
    assert fallback.available(NAME, 0) == 5
    assert buckets.expected_cost("TagsAdd") == 10
    assert buckets.take(NAME, 10, 0) == pytest.approx(0.5)  # the local estimate answers

    # And a Shopify call goes through regardless.
    fake = FakeAdminApi(clock=clock.monotonic, now=clock.utcnow)
    with fake.http_client() as http:
        client = AdminClient(
            SHOP,
            "t",
            http_client=http,
            sleep=clock.sleep,
            clock=clock.monotonic,
            buckets=RedisCostBuckets(unreachable),
        )
        assert client.execute("ShopGet")["shop"]["myshopifyDomain"] == SHOP


def test_a_failed_redis_is_left_alone_for_a_while_then_used_again():
    server = fakeredis.FakeServer()
    redis = fakeredis.FakeRedis(server=server)
    monotonic = [0.0]
    # A fixed level clock: the test is about the pause, and on the wall clock the estimate restores
    # a point every 10 ms between the observe and the read (it failed so at load 15).
    buckets = RedisCostBuckets(
        redis, retry_seconds=5.0, monotonic=lambda: monotonic[0], clock=lambda: 100.0
    )
    key = buckets.bucket_key(NAME)

    server.connected = False
    buckets.observe(NAME, "TagsAdd", status(400), 0)
    assert buckets.fallback.available(NAME, 0) == 400
    server.connected = True
    monotonic[0] = 4.0  # still inside the pause: Redis is not asked
    buckets.observe(NAME, "TagsAdd", status(300), 0)
    assert not redis.exists(key)
    monotonic[0] = 5.5
    buckets.observe(NAME, "TagsAdd", status(200), 0)
    assert redis.exists(key)
    assert buckets.available(NAME, 0) == pytest.approx(200)


# --- wiring: the app's clients share the estimate when the app has Redis --------------------------


def test_the_app_shares_the_estimate_over_its_queues_connection():
    from plugin.jobs.queue import InProcessQueue, RedisQueue
    from plugin.shopify.admin_api import cost_buckets

    app = Flask(__name__)
    app.extensions["tesmart_queue"] = InProcessQueue()
    assert cost_buckets(app) is PROCESS_BUCKETS

    queue = RedisQueue(f"redis://127.0.0.1:{closed_port()}/0")  # never connected to here
    app.extensions["tesmart_queue"] = queue
    buckets = cost_buckets(app)
    assert isinstance(buckets, RedisCostBuckets)
    assert buckets.redis is queue.connection  # no second connection pool
    assert buckets.fallback is PROCESS_BUCKETS
    assert cost_buckets(app) is buckets  # built once
    assert buckets.clock is None  # production: the Redis server's clock


def test_a_tests_injected_clock_is_the_shared_estimates_clock_too():
    # The suite's recorded sleeps move the app's injected monotonic clock, and the fake Admin API's
    # bucket restores on it; a shared estimate on the Redis server's clock would never see a
    # recorded wait restore anything, and the client would give up throttled.
    from plugin.clock import MONOTONIC_EXTENSION
    from plugin.jobs.queue import RedisQueue
    from plugin.shopify.admin_api import cost_buckets

    app = Flask(__name__)
    app.extensions["tesmart_queue"] = RedisQueue(f"redis://127.0.0.1:{closed_port()}/0")
    first = ManualClock()
    app.extensions[MONOTONIC_EXTENSION] = first
    buckets = cost_buckets(app)
    assert isinstance(buckets, RedisCostBuckets) and buckets.clock is first
    second = ManualClock()
    app.extensions[MONOTONIC_EXTENSION] = second
    rebuilt = cost_buckets(app)
    assert isinstance(rebuilt, RedisCostBuckets) and rebuilt.clock is second
