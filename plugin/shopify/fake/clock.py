"""A clock that moves only when told to, for rate-limit tests that must not really wait."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

DEFAULT_START = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)


class ManualClock:
    """Monotonic seconds, wall time and a `sleep` that advances both instead of blocking.

    Give `clock.monotonic` and `clock.utcnow` to the fake, and `clock.monotonic`/`clock.sleep` to
    an AdminClient: the client's waiting then costs no wall time, and `clock.slept` shows how long
    it would have been.
    """

    def __init__(self, start: datetime = DEFAULT_START) -> None:
        self._start = start
        self._elapsed = 0.0
        self._lock = threading.Lock()
        self.slept: list[float] = []

    def monotonic(self) -> float:
        with self._lock:
            return 1_000.0 + self._elapsed

    def utcnow(self) -> datetime:
        with self._lock:
            return self._start + timedelta(seconds=self._elapsed)

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)
            self._elapsed += max(0.0, seconds)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._elapsed += seconds
