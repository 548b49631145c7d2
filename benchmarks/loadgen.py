"""A small HTTP/1.1 load generator on asyncio streams, loopback only, bounded in time and count.

Why not httpx: on a 2-core machine the load generator competes with the server for CPU, and a
client that spends less per request leaves more to the server, so the figures are the server's.
Each request opens a connection and sends ``Connection: close`` (gunicorn's sync workers close
after every response anyway). Latency is measured from the moment a request was *due* (open loop)
or sent (closed loop) to the last byte of the answer (its Content-Length), not to the close.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

LOOPBACK = "127.0.0.1"
MAX_REQUESTS = 2_000_000  # a hard bound on any one run, whatever the duration says


@dataclass(frozen=True)
class HttpRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""

    def encode(self, port: int) -> bytes:
        lines = [
            f"{self.method} {self.path} HTTP/1.1",
            f"Host: {LOOPBACK}:{port}",
            "Connection: close",
        ]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        if self.body or self.method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + self.body


@dataclass
class RunResult:
    sent: int = 0
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds, successful answers only
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    late: int = 0  # open loop: requests that could not be sent on time (the generator lagged)

    @property
    def ok(self) -> int:
        return sum(n for status, n in self.statuses.items() if 200 <= status < 300)

    @property
    def rate(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0

    def percentile(self, p: float) -> float:
        """Milliseconds; nearest-rank percentile of the successful answers."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
        return ordered[rank] * 1000

    @property
    def mean_ms(self) -> float:
        return statistics.fmean(self.latencies) * 1000 if self.latencies else float("nan")

    def summary(self) -> str:
        bad = {s: n for s, n in self.statuses.items() if not 200 <= s < 300}
        return (
            f"{self.ok} ok in {self.elapsed:.1f}s = {self.rate:.0f}/s, p50 "
            f"{self.percentile(50):.1f} ms, p99 {self.percentile(99):.1f} ms"
            + (f", non-2xx {bad}" if bad else "")
            + (f", errors {dict(self.errors)}" if self.errors else "")
        )


async def _exchange(port: int, raw: bytes, timeout: float) -> tuple[int, bytes, float]:
    """Send ``raw``; the answer's status, body and the moment its last byte arrived.

    The answer ends where its Content-Length says, as for any HTTP client: the server's work after
    it (gunicorn's access line, the app's teardown, the close) is not the answer's latency. The
    connection is still read to its close afterwards, so the next request finds the worker free
    as before.
    """
    reader, writer = await asyncio.wait_for(asyncio.open_connection(LOOPBACK, port), timeout)
    head = body = b""
    try:
        writer.write(raw)
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
        length = _content_length(head)
        if length is None:
            body = await asyncio.wait_for(reader.read(), timeout)  # the close ends the answer
            answered = time.perf_counter()
        else:
            body = await asyncio.wait_for(reader.readexactly(length), timeout)
            answered = time.perf_counter()
            await asyncio.wait_for(reader.read(), timeout)  # the server closes after answering
    except asyncio.IncompleteReadError as exc:  # closed early: what came is the answer
        if head:
            body = exc.partial
        else:
            head = exc.partial
        answered = time.perf_counter()
    finally:
        writer.close()
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
    return status, body, answered


def _content_length(head: bytes) -> int | None:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return None


async def _one(
    port: int,
    raw: bytes,
    started: float,
    result: RunResult,
    timeout: float,
    check: Callable[[int, bytes], None] | None,
) -> None:
    try:
        status, body, answered = await _exchange(port, raw, timeout)
    except (TimeoutError, OSError) as exc:
        result.errors[type(exc).__name__] += 1
        return
    result.statuses[status] += 1
    if 200 <= status < 300:
        result.latencies.append(answered - started)
    if check is not None:
        check(status, body)


async def closed_loop(
    port: int,
    make: Callable[[int], HttpRequest],
    *,
    concurrency: int,
    duration: float,
    limit: int = MAX_REQUESTS,
    timeout: float = 10.0,
    check: Callable[[int, bytes], None] | None = None,
) -> RunResult:
    """``concurrency`` clients, each sending its next request as soon as the last is answered."""
    result = RunResult()
    counter = iter(range(min(limit, MAX_REQUESTS)))
    start = time.perf_counter()
    deadline = start + duration

    async def client() -> None:
        for index in counter:
            if time.perf_counter() >= deadline:
                return
            raw = make(index).encode(port)
            result.sent += 1
            await _one(port, raw, time.perf_counter(), result, timeout, check)

    await asyncio.gather(*(client() for _ in range(concurrency)))
    result.elapsed = time.perf_counter() - start
    return result


# How early the open-loop generator wakes for a request (see ``open_loop``).
TIMER_SLACK = 0.001


async def open_loop(
    port: int,
    make: Callable[[int], HttpRequest],
    *,
    rate: float,
    duration: float,
    timeout: float = 10.0,
    max_in_flight: int = 512,
    check: Callable[[int, bytes], None] | None = None,
) -> RunResult:
    """Requests at a fixed rate whatever the answers do; latency counts from when each was due,
    so a slow server is not hidden by a generator that waits for it (coordinated omission)."""
    result = RunResult()
    total = min(int(rate * duration), MAX_REQUESTS)
    start = time.perf_counter()
    tasks: set[asyncio.Task[None]] = set()
    for index in range(total):
        due = start + index / rate
        # Built before it is due: signing and encoding a request is the generator's work, which
        # would otherwise be charged to the server.
        raw = make(index).encode(port)
        delay = due - time.perf_counter()
        if delay > TIMER_SLACK:
            # asyncio's timers fire on epoll's millisecond grid, up to a millisecond after the
            # moment asked for (0.5 ms on average, on every request): wake one tick early.
            await asyncio.sleep(delay - TIMER_SLACK)
        elif delay < -0.005:
            result.late += 1
        if len(tasks) >= max_in_flight:
            result.errors["in_flight_cap"] += 1
            continue
        result.sent += 1
        # From when it was due, or from when it went out if that was earlier (up to a tick): a
        # late request still counts its wait, an early one is not credited with time it was not
        # at the server.
        started = min(due, time.perf_counter())
        task = asyncio.create_task(_one(port, raw, started, result, timeout, check))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.wait(tasks, timeout=timeout + 1)
    result.elapsed = max(time.perf_counter() - start, duration)
    return result


def run(coro: object) -> RunResult:
    """Run one measurement with the generator's garbage collector held off: a full collection of
    the generator's own heap pauses its event loop for tens of milliseconds, and every request due
    meanwhile would be charged to the server (runs are bounded in count and time, and reference
    counting frees all but cycles, so memory stays bounded)."""
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        return asyncio.run(coro)  # type: ignore[arg-type]
    finally:
        gc.enable()
        gc.unfreeze()
        gc.collect()
