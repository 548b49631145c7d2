"""The throttle estimate shared by every process of a deployment, in Redis.

:class:`plugin.shopify.client.CostBuckets` keeps each shop's bucket estimate in one process's
memory, so eight rq workers issuing codes for one store each think they have the whole bucket and
together overspend it. :class:`RedisCostBuckets` keeps the same estimate in Redis, so that every
process budgets against one number:

* ``take`` is one Lua script: "if the bucket can afford `cost` now, subtract it and return 0, else
  return the seconds to wait". Redis runs a script alone, so no two processes can both spend the
  same points, and the script reads the Redis server's clock (``TIME``), so processes on different
  machines agree on how much has been restored.
* ``observe`` is another: it reconciles the estimate with an answer exactly as the in-process one
  does (:func:`plugin.shopify.client.reconciled_level`), without handing back the points other
  processes reserved and have not spent yet, and records the operation's requested cost.

Keys: ``<prefix>bucket:<shop>`` (a hash: maximum, available, rate, at) and ``<prefix>costs`` (a
hash: operation name → requested cost). Both expire when idle; an expired bucket is unknown again,
which is harmless, since an idle bucket is full by then.

Redis is an optimisation here, never a dependency of a Shopify call: on any Redis error the process
falls back to its own estimate (a warning is logged) and tries Redis again a few seconds later.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from redis import Redis
from redis.exceptions import RedisError

from .client import AFFORD_EPSILON, DEFAULT_OPERATION_COST, CostBuckets, QueryCost

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_PREFIX = "tesmart:shopify:"
# Longer than any Shopify bucket takes to refill (2,000 points at 100/s = 20 s; Plus: 20,000 at
# 1,000/s), so an expired key only ever forgets a full bucket.
BUCKET_IDLE_SECONDS = 600
COST_IDLE_SECONDS = 24 * 3600

# Shared by both scripts. Numbers are stored with %.17g so that they round-trip exactly (Lua's
# tostring keeps 14 digits, a tenth of a millisecond of a Unix time). `now` comes from the caller
# only in tests; in production it is the Redis server's clock, the one every process shares.
_PREAMBLE = """
if redis.replicate_commands then redis.replicate_commands() end
local function now_seconds(given)
  if given ~= '' then return tonumber(given) end
  local t = redis.call('TIME')
  return tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local function num(x) return string.format('%.17g', x) end
local function level_at(state, now)
  local maximum, available, rate, at =
    tonumber(state[1]), tonumber(state[2]), tonumber(state[3]), tonumber(state[4])
  return math.min(maximum, available + math.max(0, now - at) * rate)
end
"""

# KEYS[1]: the shop's bucket. ARGV: cost, idle ttl (ms), now ('' = the server's clock), epsilon.
# Returns the seconds to wait as a string ('0': reserved, go). Strings, because Redis turns a Lua
# number into an integer, and a wait of 0.05 s must not become 0.
_TAKE = (
    _PREAMBLE
    + """
local state = redis.call('HMGET', KEYS[1], 'maximum', 'available', 'rate', 'at')
if not state[1] then
  return '0'  -- unknown until the first answer: let the call go, reserving nothing
end
local now = now_seconds(ARGV[3])
local maximum, rate = tonumber(state[1]), tonumber(state[3])
local level = level_at(state, now)
local cost = math.min(tonumber(ARGV[1]), maximum)
if rate > 0 and level < cost - tonumber(ARGV[4]) then
  return num((cost - level) / rate)
end
redis.call('HSET', KEYS[1], 'available', num(level - cost), 'at', num(now))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return '0'
"""
)

# KEYS[1]: the shop's bucket, KEYS[2]: the operation costs. ARGV: maximum, reported (currently
# available), restore rate, reserved, actual ('' = null: nothing ran), idle ttl (ms), now,
# operation name, requested cost ('' = unknown), costs ttl (s). Returns the new level.
# The arithmetic is reconciled_level's in client.py; tests hold both to the same answers.
_OBSERVE = (
    _PREAMBLE
    + """
local now = now_seconds(ARGV[7])
local maximum, reported, rate = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'maximum', 'available', 'rate', 'at')
local level = reported
if state[1] then
  local spent = 0
  if ARGV[5] ~= '' then spent = tonumber(ARGV[5]) end
  local reserved = math.min(tonumber(ARGV[4]), maximum)
  level = math.min(level_at(state, now) + reserved - spent, reported)
end
level = math.min(level, maximum)
redis.call('HSET', KEYS[1], 'maximum', num(maximum), 'available', num(level),
  'rate', num(rate), 'at', num(now))
redis.call('PEXPIRE', KEYS[1], ARGV[6])
if ARGV[9] ~= '' then
  redis.call('HSET', KEYS[2], ARGV[8], ARGV[9])
  redis.call('EXPIRE', KEYS[2], ARGV[10])
end
return num(level)
"""
)

# KEYS[1]: the shop's bucket. ARGV: now. The level now, or nil when unknown (read only).
_PEEK = (
    _PREAMBLE
    + """
local state = redis.call('HMGET', KEYS[1], 'maximum', 'available', 'rate', 'at')
if not state[1] then return false end
return num(level_at(state, now_seconds(ARGV[1])))
"""
)


class RedisCostBuckets:
    """Every process's shared estimate of each shop's bucket and of each operation's cost.

    `redis`: a client (reuse the app's; it is thread-safe). `fallback`: the process-local
    estimate used while Redis cannot be reached. `clock`: for tests only, seconds to use instead
    of the Redis server's clock. `retry_seconds`: how long a failed Redis is left alone before it is
    tried again, so that an outage costs one connection timeout per few seconds, not one per call.
    """

    def __init__(
        self,
        redis: Redis,
        *,
        prefix: str = DEFAULT_PREFIX,
        fallback: CostBuckets | None = None,
        bucket_idle_seconds: int = BUCKET_IDLE_SECONDS,
        cost_idle_seconds: int = COST_IDLE_SECONDS,
        retry_seconds: float = 5.0,
        clock: Callable[[], float] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.redis = redis
        self.prefix = prefix
        self.fallback = CostBuckets() if fallback is None else fallback
        self._bucket_ttl_ms = str(bucket_idle_seconds * 1000)
        self._cost_ttl = str(cost_idle_seconds)
        self._retry_seconds = retry_seconds
        self._clock = clock
        self._monotonic = monotonic
        self._take = redis.register_script(_TAKE)
        self._observe = redis.register_script(_OBSERVE)
        self._peek = redis.register_script(_PEEK)
        self._state_lock = threading.Lock()
        self._down_until: float | None = None  # while set, Redis failed: use the fallback

    @property
    def clock(self) -> Callable[[], float] | None:
        """The test clock given instead of the Redis server's (None: the server's)."""
        return self._clock

    def bucket_key(self, shop: str) -> str:
        return f"{self.prefix}bucket:{shop}"

    @property
    def costs_key(self) -> str:
        return f"{self.prefix}costs"

    # --- the BucketEstimates protocol ------------------------------------------------------------

    def expected_cost(self, operation_name: str) -> float:
        def shared() -> float:
            value = self.redis.hget(self.costs_key, operation_name)
            return DEFAULT_OPERATION_COST if value is None else float(value)

        return self._shared(shared, lambda: self.fallback.expected_cost(operation_name))

    def take(self, shop: str, cost: float, now: float) -> float:
        def shared() -> float:
            args = [_num(cost), self._bucket_ttl_ms, self._now_arg(), _num(AFFORD_EPSILON)]
            return float(self._take(keys=[self.bucket_key(shop)], args=args))

        return self._shared(shared, lambda: self.fallback.take(shop, cost, now))

    def observe(
        self, shop: str, operation_name: str, cost: QueryCost, now: float, *, reserved: float = 0.0
    ) -> None:
        def shared() -> None:
            args = [
                _num(cost.maximum_available),
                _num(cost.currently_available),
                _num(cost.restore_rate),
                _num(reserved),
                "" if cost.actual is None else _num(cost.actual),
                self._bucket_ttl_ms,
                self._now_arg(),
                operation_name,
                "" if cost.requested is None else _num(cost.requested),
                self._cost_ttl,
            ]
            self._observe(keys=[self.bucket_key(shop), self.costs_key], args=args)

        def local() -> None:
            self.fallback.observe(shop, operation_name, cost, now, reserved=reserved)

        self._shared(shared, local)

    def available(self, shop: str, now: float) -> float | None:
        """The estimated points available now (None before the first answer from that shop)."""

        def shared() -> float | None:
            value = self._peek(keys=[self.bucket_key(shop)], args=[self._now_arg()])
            return None if value is None else float(value)

        return self._shared(shared, lambda: self.fallback.available(shop, now))

    def clear(self) -> None:
        """Forget every shared and local estimate under this prefix (tests, operators)."""
        self.fallback.clear()
        try:
            keys = list(self.redis.scan_iter(match=f"{_glob_escape(self.prefix)}*", count=500))
            if keys:
                self.redis.delete(*keys)
        except RedisError as exc:
            log.warning("could not clear the shared Shopify throttle estimate: %s", exc)

    # --- Redis, or the process's own estimate -----------------------------------------------------

    def _now_arg(self) -> str:
        return "" if self._clock is None else _num(self._clock())

    def _shared(self, shared: Callable[[], T], local: Callable[[], T]) -> T:
        """`shared()` against Redis; `local()` when Redis fails or failed a moment ago.

        Never raises a Redis error: a Shopify call must not fail because Redis is down. While the
        fallback is in use this process budgets alone again, as before Redis was shared; THROTTLED
        answers, retried, cover the difference.
        """
        with self._state_lock:
            down_until = self._down_until
        if down_until is not None and self._monotonic() < down_until:
            return local()
        try:
            result = shared()
        except RedisError as exc:
            with self._state_lock:
                self._down_until = self._monotonic() + self._retry_seconds
            log.warning(
                "shared Shopify throttle estimate unavailable (%s: %s); using this process's own "
                "for %.0fs",
                type(exc).__name__,
                exc,
                self._retry_seconds,
            )
            return local()
        if down_until is not None:
            with self._state_lock:
                self._down_until = None
            log.info("shared Shopify throttle estimate reachable again")
        return result


def _num(value: float) -> str:
    return repr(float(value))


def _glob_escape(text: str) -> str:
    return "".join(f"\\{c}" if c in "*?[]\\" else c for c in text)


__all__ = ["DEFAULT_PREFIX", "RedisCostBuckets"]
