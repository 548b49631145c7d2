"""Who is asking: the verified shop and logged-in customer of an app-proxy request."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar, overload

from flask import g, request
from shopify_app.types import RequestInput

from plugin import clock, ledger
from plugin.accounts import activate_on_storefront_login, shop_visitor
from plugin.benefits.devices import DeviceRows, visitor_with_devices
from plugin.database.reads import end_reading, read_without_transaction, stop_reading
from plugin.errors import ApiError
from plugin.jobs.customers import sync_seen_customer
from plugin.jobs.queue import job_queue
from plugin.models import Member, Shop, ShopCustomer
from plugin.models.types import is_row_id
from plugin.shopify_app import shopify

# Shopify's default app proxy path (shopify.app.toml); merchants may change prefix and subpath.
DEFAULT_PROXY_PREFIX = "/apps/tesmart"
_PROXY_PREFIX = re.compile(r"^/(apps|a|community|tools)/[A-Za-z0-9_-]+$")


def proxy_prefix() -> str:
    """The app proxy path this request came through: Shopify's ``path_prefix``, part of the signed
    query, so links the app hands out (the referral link) follow the merchant's own setting."""
    prefix = (request.args.get("path_prefix") or "").rstrip("/")
    return prefix if _PROXY_PREFIX.match(prefix) else DEFAULT_PROXY_PREFIX


P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class ProxyContext:
    shop: Shop
    customer_id: str | None
    customer: ShopCustomer | None
    member: Member | None
    # The member's wallet balance, read with the shop and customer when the view asked for it
    # (``app_proxy(balance=True)``); None when it did not, or when there is no member.
    balance: int | None = None
    # The member's registered devices with their history, read with the visit when the view asked
    # for them (``app_proxy(devices=True)``); None when it did not.
    devices: DeviceRows | None = None
    # The one device the request's JSON body names, read with the visit when the view asked for it
    # (``app_proxy(device="device_id")``): its id and what was found (none: not the member's
    # registered device here); None when it was not read.
    device: tuple[int, DeviceRows] | None = None

    @property
    def logged_in(self) -> bool:
        return self.customer_id is not None


def proxy_context() -> ProxyContext:
    return g.proxy


@overload
def app_proxy(
    view: Callable[P, R],
    *,
    balance: bool = False,
    devices: bool = False,
    device: str | None = None,
    autocommit_reads: bool = False,
) -> Callable[P, R]: ...
@overload
def app_proxy(
    view: None = None,
    *,
    balance: bool = False,
    devices: bool = False,
    device: str | None = None,
    autocommit_reads: bool = False,
) -> Callable[[Callable[P, R]], Callable[P, R]]: ...


def app_proxy(
    view: Callable[P, R] | None = None,
    *,
    balance: bool = False,
    devices: bool = False,
    device: str | None = None,
    autocommit_reads: bool = False,
) -> Callable[P, R] | Callable[[Callable[P, R]], Callable[P, R]]:
    """Verify the app-proxy signature, load the shop and the logged-in customer.

    ``balance=True`` also reads the member's wallet balance in the same query; ``devices=True``
    the member's registered devices with their history (``ProxyContext.devices``), likewise;
    ``device="device_id"`` the one device the JSON body's ``device_id`` names
    (``ProxyContext.device``), when the body names one; the view still checks the body itself.
    ``autocommit_reads=True`` is for views that read, and write (if at all) only after
    ``reads.end_reading()``: their reads run without a transaction on PostgreSQL, which answers
    the same rows with two round trips fewer (``plugin.database.reads``).
    """
    loads = _Loads(balance, devices, device)
    if view is None:
        return lambda inner: _wrap(inner, loads, autocommit_reads)
    return _wrap(view, loads, autocommit_reads)


@dataclass(frozen=True)
class _Loads:
    """What a view asks to be read with the visit, in its one statement."""

    balance: bool
    devices: bool
    device: str | None  # the JSON body's field naming a device


_PROXY_PARAMETERS = ("shop", "logged_in_customer_id", "path_prefix", "timestamp", "signature")


def _wrap(view: Callable[P, R], loads: _Loads, autocommit_reads: bool) -> Callable[P, R]:
    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        # Shopify joins a repeated key's values with "," before signing, so a signature can cover
        # `logged_in_customer_id=1&logged_in_customer_id=2`: which one is "the" customer would then
        # be up to whoever reads the query. A proxy parameter is never repeated by Shopify.
        for name in _PROXY_PARAMETERS:
            if len(request.args.getlist(name)) > 1:
                raise ApiError(400, "repeated_parameter", f"The query repeats {name}.")
        result = shopify().verify_app_proxy_req(_signed_input())
        if not result.ok:
            raise ApiError(401, result.log.code, "The request is not signed by Shopify.")
        if not (autocommit_reads and read_without_transaction()):
            g.proxy = _load_context(result.shop, result.logged_in_customer_id, loads, reading=False)
            return view(*args, **kwargs)
        try:
            g.proxy = _load_context(result.shop, result.logged_in_customer_id, loads, reading=True)
            return view(*args, **kwargs)
        finally:
            stop_reading()  # an error answer would leave the autocommit connection behind

    return wrapper


def _load_context(
    shop_domain: str | None, logged_in_customer_id: str | None, loads: _Loads, *, reading: bool
) -> ProxyContext:
    customer_id = (logged_in_customer_id or "").strip() or None
    well_formed = customer_id is None or customer_id.isdigit()
    # One query for the shop, the customer and their member (see ``shop_visitor``); a malformed id
    # is not looked up, and is refused only once the shop is known, as before.
    device_rows: DeviceRows | None = None
    device: tuple[int, DeviceRows] | None = None
    device_id = _body_device(loads.device) if loads.device is not None else None
    if loads.devices and customer_id is not None and well_formed:
        visitor, device_rows = visitor_with_devices(shop_domain or "", customer_id)
    elif device_id is not None and customer_id is not None and well_formed:
        visitor, found = visitor_with_devices(shop_domain or "", customer_id, device_id)
        device = (device_id, found)
    else:
        visitor = shop_visitor(
            shop_domain or "", customer_id if well_formed else None, with_balance=loads.balance
        )
    shop = visitor.shop
    if shop is None or not shop.installed:
        raise ApiError(404, "unknown_shop", "This shop does not have the app installed.")
    if not well_formed:
        raise ApiError(400, "invalid_customer", "The logged-in customer id is malformed.")
    customer = visitor.customer
    member = visitor.member  # None unless the customer row links one
    balance = visitor.balance
    if member is not None:
        # Seen logged in on the storefront: the email is proven (POLICY.md 2).
        if member.activated_at is None and member.state == "open" and not _dev_preview():
            if reading:
                end_reading()  # the activation is written in a transaction of its own
            activate_on_storefront_login(member, shop)
            balance = None  # read before the commit: let the view read it again
    elif customer_id is not None and customer is None:
        if reading:
            end_reading()  # an in-process queue runs the job here, with its own writes
        _sync_unknown_customer(shop, customer_id)
    return ProxyContext(
        shop=shop,
        customer_id=customer_id,
        customer=customer,
        member=member,
        balance=balance,
        devices=device_rows,
        device=device,
    )


def _body_device(field: str) -> int | None:
    """The device id the request's JSON body names in ``field``, if it names one well."""
    data = request.get_json(silent=True)
    value = data.get(field) if isinstance(data, dict) else None
    return value if is_row_id(value) else None


def _dev_preview() -> bool:
    """The local storefront's "view as" link (dev mode only; the flag is in the signed query)."""
    from flask import current_app

    return (
        bool(current_app.config.get("DEV_MODE")) and request.args.get("tesmart_dev_preview") == "1"
    )


def _signed_input() -> RequestInput:
    """What ``verify_app_proxy_req`` reads: an app-proxy signature covers the query string only
    (the URL), never the headers or the body, so neither is copied for it."""
    # The query string as received: the verifier reads only the URL's query, and building the
    # whole URL (scheme, host, path, re-quoted) for it cost more than the check itself.
    query = request.environ.get("QUERY_STRING", "")
    return {"method": request.method, "headers": {}, "url": f"/?{query}", "body": ""}


def _sync_unknown_customer(shop: Shop, customer_id: str) -> None:
    """Logged in, but no customers/create seen yet: fetch the customer in a job (never inline in
    production), so the ID is linked and activated as of this visit."""

    job_queue().enqueue(
        sync_seen_customer,
        shop.id,
        customer_id,
        clock.now().isoformat(),
        queue="default",
        job_id=f"customer-{shop.id}-{customer_id}",
    )


def wallet_balance(ctx: ProxyContext) -> int:
    """The member's balance: as read with the context when it was, else from the wallet; 0
    without a TESmart ID (``ledger.balance``'s answer either way)."""
    if ctx.member is None:
        return 0
    if ctx.balance is not None:
        return ctx.balance

    return ledger.balance(ctx.shop.id, ctx.member.id)


def require_customer() -> ProxyContext:
    ctx = proxy_context()
    if not ctx.logged_in:
        raise ApiError(401, "not_logged_in", "Log in to your account to use this.")
    return ctx


def require_member(active: bool = True) -> tuple[ProxyContext, Member]:
    ctx = require_customer()
    if ctx.member is None:
        raise ApiError(403, "no_tesmart_id", "Your TESmart ID is not set up yet.")
    if active and not ctx.member.is_active:
        raise ApiError(403, "id_not_active", "Activate your TESmart ID to use this.")
    return ctx, ctx.member


def json_body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", "The request body must be a JSON object.")
    if _has_nul(data):  # PostgreSQL text cannot hold NUL: refuse it here, not with a 500 later
        raise ApiError(
            400, "invalid_json", "Text in the request body must not contain NUL characters."
        )
    return data


def _has_nul(value: Any, depth: int = 0) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if depth > 32:
        return False
    if isinstance(value, dict):
        return any(_has_nul(k, depth + 1) or _has_nul(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v, depth + 1) for v in value)
    return False
