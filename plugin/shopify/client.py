"""A throttle-aware client for Shopify's Admin GraphQL API.

Requests go out through `shopify_app.admin_graphql_request` (Shopify's own package: endpoint,
headers, user agent, log redaction), always with `max_retries=0`, because the retry policy is ours:

* the library sleeps on `Retry-After` itself (whole seconds, blocking) and never retries a
  `THROTTLED` answer, which is how Shopify usually throttles GraphQL (HTTP 200, not 429);
* whether a failed call may be repeated depends on the operation: a timeout on a store-credit
  mutation may have credited the customer already, so repeating it blindly would pay twice.

Shopify's rate limit is a leaky bucket per app and store (Standard plan: 2,000 points, refilled at
100 points a second). Every answer reports the bucket in `extensions.cost.throttleStatus`. Clients
share an estimate per shop, so work for one store waits *before* sending a query the bucket cannot
afford instead of being throttled: :class:`CostBuckets` within one process (tests, the embedded
default), :class:`plugin.shopify.redis_buckets.RedisCostBuckets` across every process of a
deployment with Redis. Either way a send first *takes* its expected cost from the estimate in one
atomic step ("affordable now: reserved, go" or "wait this long"), and the answer then reconciles the
estimate with what Shopify reported (:func:`reconciled_level`).

Errors are split by what the caller should do about them (`AdminApiError.transient`):
:class:`AdminThrottled` and :class:`AdminUnavailable` (try again later, `retry_after` seconds),
:class:`AdminUnauthorized` (refresh the token, then try again), :class:`AdminRejected` (a bug or a
missing scope: retrying cannot help). `userErrors` are not exceptions: they are answers, part of
`data`, and :func:`user_errors` reads them.
"""

from __future__ import annotations

import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, cast

import httpx
from shopify_app import admin_graphql_request
from shopify_app.types import GQLResult

from . import API_VERSION
from .operations import (
    alias,
    aliased,
    aliased_name,
    is_repeatable,
    operation,
    root_field,
    suffixed,
)

log = logging.getLogger(__name__)

_SHOP_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9-]*$")
# A mutation's requested cost on Shopify; also the guess for an operation not seen yet.
DEFAULT_OPERATION_COST = 10.0
# Requests that never reached Shopify: repeating them is always safe.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Points below which a shortfall is float noise from the restore arithmetic, not a real one: a
# client that slept exactly the wait it was given must not be told to wait again for 1e-13 of a
# point.
AFFORD_EPSILON = 1e-6


class AdminApiError(Exception):
    """A call to the Admin API that did not produce data.

    `transient`: the same call may succeed later (after `retry_after` seconds, when known).
    """

    transient: bool = False

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        status: int | None = None,
        errors: list[dict[str, Any]] | None = None,
        operation_name: str | None = None,
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.status = status
        self.errors = errors or []
        self.operation_name = operation_name


class AdminRejected(AdminApiError):
    """Shopify refused the request as such (invalid document, missing scope, 400/403/404).

    Permanent: the same request will be refused again; it needs a code or configuration change.
    """

    transient = False


class AdminUnauthorized(AdminApiError):
    """HTTP 401: the access token expired or was revoked. Refresh it, then call again.

    Not transient in itself: repeating the call with the same token fails the same way.
    """

    transient = False


class AdminThrottled(AdminApiError):
    """Still rate-limited after the client's bounded waiting; try again after `retry_after`."""

    transient = True


class AdminUnavailable(AdminApiError):
    """Shopify could not be reached or failed (5xx, timeout, network), even after retries.

    `ambiguous` is True when the request may have taken effect (it was sent, no answer came back)
    and the operation is not safe to repeat (store credit). Such an error is *not* transient: a
    caller that retries whatever is transient must not pay a customer twice; someone has to find
    out what happened first.
    """

    transient = True

    def __init__(self, message: str, *, ambiguous: bool = False, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.ambiguous = ambiguous
        self.transient = not ambiguous


@dataclass(frozen=True)
class QueryCost:
    """`extensions.cost` of one answer."""

    requested: float | None
    actual: float | None
    maximum_available: float
    currently_available: float
    restore_rate: float

    @classmethod
    def from_extensions(cls, extensions: Mapping[str, Any] | None) -> QueryCost | None:
        cost = (extensions or {}).get("cost") or {}
        status = cost.get("throttleStatus") or {}
        try:
            return cls(
                requested=_number(cost.get("requestedQueryCost")),
                actual=_number(cost.get("actualQueryCost")),
                maximum_available=float(status["maximumAvailable"]),
                currently_available=float(status["currentlyAvailable"]),
                restore_rate=float(status["restoreRate"]),
            )
        except (KeyError, TypeError, ValueError):
            return None


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


class BucketEstimates(Protocol):
    """What :class:`AdminClient` needs of a throttle estimate, in-process or shared.

    `now` is the caller's clock (seconds); an implementation with a clock of its own (the Redis
    server's, shared by every process) may ignore it.
    """

    def expected_cost(self, operation_name: str) -> float:
        """What the operation asked for last time (a guess before its first answer)."""
        ...

    def take(self, shop: str, cost: float, now: float) -> float:
        """In one atomic step: when the shop's bucket can afford `cost` now, reserve it and return
        0; otherwise reserve nothing and return the seconds until it could.

        Before the first answer from the shop the bucket is unknown: the call goes (0), reserving
        nothing, because a guessed size could be wrong either way for an unknown plan.
        """
        ...

    def observe(
        self, shop: str, operation_name: str, cost: QueryCost, now: float, *, reserved: float = 0.0
    ) -> None:
        """Reconcile the estimate with an answer (see :func:`reconciled_level`).

        `reserved`: the points `take` was asked for before this request was sent. A request sent
        while the bucket was unknown reserved nothing and is credited as if it had: the reported
        level, an upper bound, keeps that error within the points then in flight.
        """
        ...


def reconciled_level(estimate: float | None, *, reserved: float, cost: QueryCost) -> float:
    """The bucket estimate after an answer (`estimate`: the level now, restored; None if unknown).

    The estimate is Shopify's level minus the reservations of requests still in flight, so the
    answer to one request must not simply replace it (that would hand back the points other
    requests reserved and have not spent yet). Instead this request's reservation becomes what it
    actually cost (`reserved - actual` credited back; a THROTTLED answer, `actual` null, cost
    nothing), and the reported level is an upper bound: points spent unseen (by a process that
    could not reach Redis, or by requests sent before the bucket was known) bring the estimate down
    to it. Never above the maximum.
    """
    reported = cost.currently_available
    if estimate is None:
        level = reported
    else:
        spent = cost.actual if cost.actual is not None else 0.0
        # `take` never reserves more than the maximum, however much was asked for.
        reserved = min(reserved, cost.maximum_available)
        level = min(estimate + reserved - spent, reported)
    return min(level, cost.maximum_available)


@dataclass
class _Bucket:
    maximum: float
    available: float
    restore_rate: float
    observed_at: float

    def available_at(self, now: float) -> float:
        restored = max(0.0, now - self.observed_at) * self.restore_rate
        return min(self.maximum, self.available + restored)


class CostBuckets:
    """One process's estimate of each shop's leaky bucket, and of each operation's cost.

    Shared by every :class:`AdminClient` in the process (the module-level `PROCESS_BUCKETS`), so
    concurrent jobs for one store budget against the same bucket: :meth:`take` checks and reserves
    under one lock, so two threads do not both spend the same points. Other processes spend from
    the same bucket unseen; a deployment with several worker processes shares the estimate in Redis
    instead (:class:`plugin.shopify.redis_buckets.RedisCostBuckets`, which falls back to this one
    when Redis cannot be reached).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[str, _Bucket] = {}
        self._costs: dict[str, float] = {}

    def expected_cost(self, operation_name: str) -> float:
        with self._lock:
            return self._costs.get(operation_name, DEFAULT_OPERATION_COST)

    def take(self, shop: str, cost: float, now: float) -> float:
        """Reserve `cost` and return 0 when affordable, else the seconds to wait (nothing reserved).

        An unknown bucket (no answer yet) or one that does not refill (`restoreRate` 0, never seen
        from Shopify) lets the call go: no wait could be computed.
        """
        with self._lock:
            bucket = self._buckets.get(shop)
            if bucket is None:
                return 0.0
            level = bucket.available_at(now)
            cost = min(cost, bucket.maximum)
            if bucket.restore_rate > 0 and level < cost - AFFORD_EPSILON:
                return (cost - level) / bucket.restore_rate
            bucket.available = level - cost
            bucket.observed_at = now
            return 0.0

    def observe(
        self, shop: str, operation_name: str, cost: QueryCost, now: float, *, reserved: float = 0.0
    ) -> None:
        with self._lock:
            bucket = self._buckets.get(shop)
            estimate = None if bucket is None else bucket.available_at(now)
            self._buckets[shop] = _Bucket(
                maximum=cost.maximum_available,
                available=reconciled_level(estimate, reserved=reserved, cost=cost),
                restore_rate=cost.restore_rate,
                observed_at=now,
            )
            if cost.requested is not None:
                self._costs[operation_name] = cost.requested

    def available(self, shop: str, now: float) -> float | None:
        """The estimated points available now (None before the first answer from that shop)."""
        with self._lock:
            bucket = self._buckets.get(shop)
            return None if bucket is None else bucket.available_at(now)

    def clear(self) -> None:
        with self._lock:
            self._buckets.clear()
            self._costs.clear()


PROCESS_BUCKETS = CostBuckets()


def shop_name(shop_domain: str) -> str:
    """`tesmart-us` from `tesmart-us.myshopify.com` (or from `tesmart-us`); anything else is
    refused.

    The name ends up in a URL the app requests with a secret token, so it is checked strictly.
    """
    name = shop_domain.strip().lower().removeprefix("https://").removeprefix("http://")
    name = name.rstrip("/").removesuffix(".myshopify.com")
    if not _SHOP_NAME.match(name):
        raise ValueError(f"not a myshopify.com shop domain: {shop_domain!r}")
    return name


def user_errors(data: Mapping[str, Any], field: str) -> list[dict[str, Any]]:
    """The `userErrors` of mutation field `field` in `data` ([] when there are none).

    They are answers, not failures of the call: a TAKEN code on a retried DiscountCodeBasicCreate
    is how the caller learns the code already exists.
    """
    payload = data.get(field) or {}
    return list(payload.get("userErrors") or [])


class _SendRecorder:
    """Wraps the httpx client handed to shopify_app, to keep the exception it swallows.

    shopify_app turns every transport error into one "network_error" result; whether the request
    left the machine (ConnectError: no) decides whether a non-repeatable mutation may be retried.
    """

    def __init__(self, client: httpx.Client) -> None:
        self._client = client
        self.error: httpx.HTTPError | None = None

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        try:
            return self._client.post(url, **kwargs)
        except httpx.HTTPError as exc:
            self.error = exc
            raise


@dataclass
class _Outcome:
    kind: str  # ok | throttled | unavailable | unauthorized | rejected
    data: dict[str, Any] | None = None
    cost: QueryCost | None = None
    status: int | None = None
    errors: list[dict[str, Any]] | None = None
    retry_after: float | None = None
    ambiguous: bool = False
    detail: str = ""


class AdminClient:
    """Runs the app's GraphQL operations (`graphql/*.graphql`) for one shop.

    Waits rather than fails when the shop's rate-limit bucket is low, retries what is safe to retry,
    and never sleeps more than `max_wait_seconds` in one `execute` (a web request must not hang; a
    job gets `AdminThrottled`/`AdminUnavailable` with `retry_after` and is rescheduled).
    `sleep` and `clock` are injectable so tests of the waiting run in no time.
    """

    def __init__(
        self,
        shop_domain: str,
        access_token: str,
        *,
        http_client: httpx.Client,
        api_version: str = API_VERSION,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        max_wait_seconds: float = 30.0,
        max_retries: int = 4,
        backoff_base_seconds: float = 0.5,
        buckets: BucketEstimates | None = None,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.shop = shop_name(shop_domain)
        self._token = access_token
        self._http = http_client
        self.api_version = api_version
        self._sleep = sleep
        self._clock = clock
        self.max_wait_seconds = max_wait_seconds
        self.max_retries = max_retries
        self._backoff_base = backoff_base_seconds
        self._buckets: BucketEstimates = PROCESS_BUCKETS if buckets is None else buckets
        self._jitter = jitter
        self.last_cost: QueryCost | None = None
        # Paths of protected customer data fields Shopify refused in the last answer (see
        # `_classify_graphql_errors`): those fields are null in the data, the rest is there.
        self.last_refused: list[tuple[str | int, ...]] = []

    def execute(
        self, operation_name: str, variables: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Run operation `operation_name` and return its `data` (userErrors included, not raised).

        Raises AdminThrottled, AdminUnavailable, AdminUnauthorized or AdminRejected.
        """
        return self._run(
            operation_name, operation(operation_name), variables, is_repeatable(operation_name)
        )

    def execute_many(
        self, operation_name: str, variables: list[Mapping[str, Any]]
    ) -> list[dict[str, Any]]:
        """Run operation `operation_name` once per set of variables, up to `MAX_ALIASED` of them
        in one request (`operations.aliased`): each copy's `data`, in order, as `execute` would
        have returned it (its userErrors included). One call, one answer: a failure of the
        request (throttled, unavailable, ...) is every copy's, raised as `execute` raises it.
        """
        if len(variables) == 1:
            return [self.execute(operation_name, variables[0])]
        count = len(variables)
        merged: dict[str, Any] = {}
        for index, values in enumerate(variables):
            merged.update(suffixed(dict(values), index))
        data = self._run(
            aliased_name(operation_name, count),
            aliased(operation_name, count),
            merged,
            is_repeatable(operation_name),
        )
        field = root_field(operation_name)
        return [{field: data.get(alias(index))} for index in range(count)]

    def _run(
        self,
        operation_name: str,
        document: str,
        variables: Mapping[str, Any] | None,
        repeatable: bool,
    ) -> dict[str, Any]:
        waited = 0.0
        retries = 0
        while True:
            cost = self._buckets.expected_cost(operation_name)
            waited += self._take(operation_name, cost, waited)

            outcome = self._send(operation_name, document, variables)
            if outcome.cost is not None:
                self.last_cost = outcome.cost
                self._buckets.observe(
                    self.shop, operation_name, outcome.cost, self._clock(), reserved=cost
                )
            # No cost in the answer (a transport error, a 5xx): the reservation stays. Whether
            # Shopify spent it is unknown; the estimate errs low and the bucket restores it soon.

            if outcome.kind == "ok":
                self.last_refused = [tuple(e.get("path") or ()) for e in outcome.errors or []]
                if self.last_refused:
                    log.warning(
                        "shopify %s %s: protected customer data refused at %s",
                        self.shop,
                        operation_name,
                        ", ".join(".".join(str(p) for p in path) for path in self.last_refused),
                    )
                return outcome.data or {}
            if outcome.kind == "unauthorized":
                raise AdminUnauthorized(
                    f"{operation_name}: access token for {self.shop} is invalid or revoked",
                    status=401,
                    operation_name=operation_name,
                )
            if outcome.kind == "rejected":
                raise AdminRejected(
                    f"{operation_name} rejected by {self.shop}: {outcome.detail}",
                    status=outcome.status,
                    errors=outcome.errors,
                    operation_name=operation_name,
                )

            if outcome.kind == "throttled":
                delay = (
                    outcome.retry_after
                    if outcome.retry_after is not None
                    else self._throttle_delay(outcome.cost)
                )
                give_up: type[AdminApiError] = AdminThrottled
            else:
                delay = self._backoff_base * (2**retries) * (1 + self._jitter())
                give_up = AdminUnavailable
                if outcome.ambiguous and not repeatable:
                    raise AdminUnavailable(
                        f"{operation_name} to {self.shop}: {outcome.detail}; it may have taken "
                        "effect and is not safe to repeat",
                        ambiguous=True,
                        retry_after=delay,
                        status=outcome.status,
                        operation_name=operation_name,
                    )
            retries += 1
            if retries > self.max_retries or waited + delay > self.max_wait_seconds:
                raise give_up(
                    f"{operation_name} to {self.shop}: {outcome.detail} (gave up after {retries} "
                    "attempts)",
                    retry_after=delay,
                    status=outcome.status,
                    errors=outcome.errors,
                    operation_name=operation_name,
                )
            log.warning(
                "shopify %s %s: %s; retry %d in %.2fs",
                self.shop,
                operation_name,
                outcome.detail,
                retries,
                delay,
            )
            self._sleep(delay)
            waited += delay

    def _take(self, operation_name: str, cost: float, waited: float) -> float:
        """Take `cost` points from the shop's bucket estimate, sleeping until it can afford them;
        the seconds slept. Each attempt is atomic: between a wait and the next attempt other
        clients may take the restored points first, and then this one waits again."""
        slept = 0.0
        while True:
            wait = self._buckets.take(self.shop, cost, self._clock())
            if wait <= 0:
                return slept
            if waited + slept + wait > self.max_wait_seconds:
                raise AdminThrottled(
                    f"{operation_name}: {self.shop} needs {wait:.1f}s to afford {cost:.0f} points",
                    retry_after=wait,
                    operation_name=operation_name,
                )
            log.info(
                "shopify %s %s: waiting %.2fs for the rate-limit bucket",
                self.shop,
                operation_name,
                wait,
            )
            self._sleep(wait)
            slept += wait

    def _throttle_delay(self, cost: QueryCost | None) -> float:
        """Seconds until the bucket holds the points the throttled query asked for."""
        if cost is None or cost.restore_rate <= 0:
            return 1.0
        requested = cost.requested if cost.requested is not None else DEFAULT_OPERATION_COST
        missing = min(requested, cost.maximum_available) - cost.currently_available
        # Never less than one restore step: the bucket said no, so something must change first.
        return max(missing, 1.0) / cost.restore_rate

    def _send(
        self, operation_name: str, document: str, variables: Mapping[str, Any] | None
    ) -> _Outcome:
        recorder = _SendRecorder(self._http)
        result = admin_graphql_request(
            document,
            shop=self.shop,
            access_token=self._token,
            api_version=self.api_version,
            variables=dict(variables) if variables else None,
            max_retries=0,
            http_client=cast(httpx.Client, recorder),
        )
        return _classify(result, recorder.error)


def _classify(result: GQLResult, transport_error: httpx.HTTPError | None) -> _Outcome:
    """Sort a shopify_app result into what the client does next."""
    if result.ok:
        return _Outcome(
            "ok", data=result.data, cost=QueryCost.from_extensions(result.extensions), status=200
        )
    code = result.log.code
    status = result.response.status
    if code == "graphql_errors":
        return _classify_graphql_errors(result.response.body)
    if code == "unauthorized":
        return _Outcome("unauthorized", status=401, detail="HTTP 401")
    if code == "network_error":
        error = transport_error
        sent = not isinstance(error, _NOT_SENT)
        detail = type(error).__name__ if error is not None else "network error"
        return _Outcome("unavailable", status=None, ambiguous=sent, detail=detail)
    if status == 429:
        return _Outcome(
            "throttled", status=429, retry_after=_retry_after(result), detail="HTTP 429"
        )
    if status >= 500:
        return _Outcome("unavailable", status=status, ambiguous=True, detail=f"HTTP {status}")
    return _Outcome("rejected", status=status, detail=f"HTTP {status}")


def _classify_graphql_errors(body: str) -> _Outcome:
    try:
        payload = json.loads(body)
    except ValueError:
        payload = {}
    raw = payload.get("errors") if isinstance(payload, dict) else None
    errors = _error_list(raw)
    cost = QueryCost.from_extensions(
        payload.get("extensions") if isinstance(payload, dict) else None
    )
    codes = {str((error.get("extensions") or {}).get("code", "")) for error in errors}
    messages = "; ".join(str(error.get("message", "")) for error in errors)[:500]
    data = payload.get("data") if isinstance(payload, dict) else None
    if isinstance(data, dict) and errors and all(_refused_field(error) for error in errors):
        # Protected customer data the app is not approved for: Shopify answers the data with the
        # refused fields null and one error per field. Handled field by field by the callers.
        return _Outcome("ok", data=data, cost=cost, status=200, errors=errors)
    if "THROTTLED" in codes:
        return _Outcome("throttled", status=200, cost=cost, errors=errors, detail="THROTTLED")
    if "INTERNAL_SERVER_ERROR" in codes:
        return _Outcome(
            "unavailable", status=200, cost=cost, errors=errors, ambiguous=True, detail=messages
        )
    return _Outcome(
        "rejected", status=200, cost=cost, errors=errors, detail=messages or "GraphQL errors"
    )


def _refused_field(error: dict[str, Any]) -> bool:
    code = str((error.get("extensions") or {}).get("code", ""))
    return (
        code == "ACCESS_DENIED" and isinstance(error.get("path"), list) and len(error["path"]) > 1
    )


def _error_list(raw: Any) -> list[dict[str, Any]]:
    # Shopify's `errors` is a list of objects, except on some edge paths where it is one string.
    if isinstance(raw, list):
        return [item if isinstance(item, dict) else {"message": str(item)} for item in raw]
    if raw:
        return [{"message": str(raw)}]
    return []


def _retry_after(result: GQLResult) -> float | None:
    # shopify_app replaces the 429 response with its own, without headers; the original response
    # is kept in the last http log.
    for entry in reversed(result.http_logs):
        for name, value in entry.res.headers.items():
            if name.lower() == "retry-after":
                try:
                    return max(0.0, float(value))
                except ValueError:
                    return None
    return None


__all__ = [
    "PROCESS_BUCKETS",
    "AdminApiError",
    "AdminClient",
    "AdminRejected",
    "AdminThrottled",
    "AdminUnauthorized",
    "AdminUnavailable",
    "BucketEstimates",
    "CostBuckets",
    "QueryCost",
    "shop_name",
    "user_errors",
]
