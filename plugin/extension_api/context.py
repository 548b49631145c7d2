"""Who is asking: the shop and customer of a UI extension's session token."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, ParamSpec, TypeVar

from flask import Response, request

from plugin.accounts import customer_of
from plugin.database.reads import read_without_transaction, stop_reading
from plugin.errors import ApiError
from plugin.extensions import db
from plugin.models import Member, Shop
from plugin.shopify.payloads import shopify_id
from plugin.shopify_app import request_input, shopify
from plugin.shops.registry import find_shop

P = ParamSpec("P")
R = TypeVar("R")


def read_only(view: Callable[P, R]) -> Callable[P, R]:
    """A view that only reads: on PostgreSQL its statements run without a transaction, so no
    BEGIN and ROLLBACK round trips, and psycopg keeps its prepared statements (a ROLLBACK drops
    them; ``plugin.database.reads``). Whatever the answer, the connection is given back after."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if request.method == "OPTIONS":  # a preflight reads nothing
            return view(*args, **kwargs)
        read_without_transaction()
        try:
            return view(*args, **kwargs)
        finally:
            stop_reading()

    return wrapper


@dataclass
class ExtensionContext:
    shop: Shop
    customer_id: str | None
    member: Member | None


def preflight() -> Response | None:
    """CORS preflight: answered without a token, as Shopify's extensions need."""
    if request.method != "OPTIONS":
        return None
    response = Response(status=204)
    response.headers["Access-Control-Max-Age"] = "7200"
    return response


def extension_context(surface: Literal["checkout", "customer_account"]) -> ExtensionContext:
    verify = (
        shopify().verify_checkout_ui_ext_req
        if surface == "checkout"
        else shopify().verify_customer_account_ui_ext_req
    )
    # The token is in the Authorization header: the body is not the verifier's to read (its log
    # record would parse it before the token is even looked at).
    result = verify(request_input(body=""))
    if not result.ok or result.id_token is None:
        raise ApiError(401, result.log.code, "The session token is missing or invalid.")
    shop = find_shop(result.shop or "")
    if shop is None or not shop.installed:
        raise ApiError(404, "unknown_shop", "This shop does not have the app installed.")
    customer_id = shopify_id(result.id_token.claims.get("sub"))
    if customer_id is not None and not customer_id.isdigit():
        customer_id = None
    member = None
    if customer_id is not None:
        customer = customer_of(shop, customer_id)
        if customer is not None and customer.member_id is not None:
            member = db.session.get(Member, customer.member_id)
    return ExtensionContext(shop=shop, customer_id=customer_id, member=member)
