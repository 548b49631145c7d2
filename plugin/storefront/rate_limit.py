"""A per-customer limit on storefront writes: a fixed window, in Redis when ``REDIS_URL`` is set
(shared by every process), else in this process.

Every write a shopper can repeat from the widget (a redemption, a survey) passes here first, so a
script holding a session cannot hammer the ledger or the Admin API. Redis trouble never blocks a
shopper: the limit fails open and logs.
"""

from __future__ import annotations

import logging
import math
import threading

from flask import Response, current_app

from plugin import clock
from plugin.errors import ApiError, error_response

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 20  # writes per customer and shop per window
DEFAULT_WINDOW_SECONDS = 60

_lock = threading.Lock()
_counts: dict[str, tuple[int, int]] = {}  # key -> (window number, count)


def _settings() -> tuple[int, int]:
    config = current_app.config
    return (
        int(config.get("STOREFRONT_WRITE_LIMIT", DEFAULT_LIMIT)),
        int(config.get("STOREFRONT_WRITE_WINDOW_SECONDS", DEFAULT_WINDOW_SECONDS)),
    )


class RateLimited(ApiError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(429, "rate_limited", "Too many requests. Try again in a minute.")
        self.retry_after = retry_after


def limit_writes(shop_id: int, customer_id: str, bucket: str = "write") -> None:
    """Count one write of this customer in this shop; ``RateLimited`` past the limit."""
    limit, window = _settings()
    now = clock.now().timestamp()
    number = int(now // window)
    key = f"tesmart:rl:{bucket}:{shop_id}:{customer_id}:{number}"
    count = _count_in_redis(key, window) if current_app.config.get("REDIS_URL") else None
    if count is None:
        count = _count_in_process(key, number)
    if count > limit:
        raise RateLimited(max(1, math.ceil((number + 1) * window - now)))


def rate_limited_response(error: RateLimited) -> Response:
    response = error_response(error.status, error.code, error.message)
    response.headers["Retry-After"] = str(error.retry_after)
    return response


def _count_in_redis(key: str, window: int) -> int | None:
    from redis.exceptions import RedisError

    queue = current_app.extensions.get("tesmart_queue")
    connection = getattr(queue, "connection", None)
    if connection is None:
        return None
    try:
        pipe = connection.pipeline()
        pipe.incr(key)
        pipe.expire(key, window + 5)
        count, _ = pipe.execute()
        return int(count)
    except RedisError:
        log.warning("rate limit: Redis unavailable, counting in process")
        return None


def _count_in_process(key: str, number: int) -> int:
    with _lock:
        if len(_counts) > 50_000:  # forget finished windows
            for stale in [k for k, (n, _) in _counts.items() if n < number]:
                del _counts[stale]
        window_number, count = _counts.get(key, (number, 0))
        count = count + 1 if window_number == number else 1
        _counts[key] = (number, count)
        return count


def reset() -> None:
    """Forget the in-process counts (tests)."""
    with _lock:
        _counts.clear()
