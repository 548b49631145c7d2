"""Who is asking: the verified shop and logged-in customer of an app-proxy request."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import g, request

from plugin.errors import ApiError
from plugin.models import Member, Shop, ShopCustomer
from plugin.models.types import utcnow
from plugin.services.members import activate, customer_of
from plugin.services.shops import find_shop
from plugin.shopify_app import request_input, shopify

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class ProxyContext:
    shop: Shop
    customer_id: str | None
    customer: ShopCustomer | None
    member: Member | None

    @property
    def logged_in(self) -> bool:
        return self.customer_id is not None


def proxy_context() -> ProxyContext:
    return g.proxy


def app_proxy(view: F) -> F:
    """Verify the app-proxy signature, load the shop and the logged-in customer."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = shopify().verify_app_proxy_req(request_input(body=""))
        if not result.ok:
            raise ApiError(401, result.log.code, "The request is not signed by Shopify.")
        shop = find_shop(result.shop or "")
        if shop is None or not shop.installed:
            raise ApiError(404, "unknown_shop", "This shop does not have the app installed.")
        customer_id = (result.logged_in_customer_id or "").strip() or None
        if customer_id is not None and not customer_id.isdigit():
            raise ApiError(400, "invalid_customer", "The logged-in customer id is malformed.")
        customer = customer_of(shop, customer_id) if customer_id else None
        member = None
        if customer is not None and customer.member_id is not None:
            from plugin.extensions import db

            member = db.session.get(Member, customer.member_id)
            # Seen logged in on the storefront: the email is proven (POLICY.md 2).
            if member is not None and member.activated_at is None and member.state == "open":
                activate(member, utcnow(), "storefront_login")
                db.session.commit()
        elif customer_id is not None and customer is None:
            _sync_unknown_customer(shop, customer_id)
        g.proxy = ProxyContext(shop=shop, customer_id=customer_id, customer=customer, member=member)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _sync_unknown_customer(shop: Shop, customer_id: str) -> None:
    """Logged in, but no customers/create seen yet: fetch the customer in a job (never inline in
    production), so the ID is linked and activated as of this visit."""
    from plugin.jobs.customers import sync_seen_customer
    from plugin.jobs.queue import job_queue

    job_queue().enqueue(
        sync_seen_customer, shop.id, customer_id, utcnow().isoformat(),
        queue="default", job_id=f"customer-{shop.id}-{customer_id}",
    )


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
        raise ApiError(400, "invalid_json", "Text in the request body must not contain NUL characters.")
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
