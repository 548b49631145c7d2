"""Who is asking in the embedded admin: the verified session token, its shop, the staff member.

Every admin request is verified with shopifyapp's ``verify_app_home_req``:

- document loads carry the session token as the ``id_token`` query parameter; a load without one
  (a plain link) is sent to the patch-id-token page, where App Bridge fetches a fresh token and
  reloads the page with it;
- fetches carry it as ``Authorization: Bearer``;
- form posts carry it in the hidden field ``id_token`` (forms cannot set headers); it is checked
  as the document load it is. The token is the CSRF proof: another site cannot mint one.

The shop is the token's ``dest``, never a form or query field, and nothing in a request switches
it: a regional operator works in their own store's admin, opened from that store's Shopify admin
(its token, its Admin API context). What one TESmart ID shares across stores (its status and
cohort) is the ID's own; another store's orders, wallets and Admin API are never shown here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlencode, urlsplit, urlunsplit

from flask import Response, current_app, g, has_request_context, render_template, request, url_for

from plugin.admin.i18n import _, current_locale
from plugin.admin.install import InstallFailed, shop_for_session
from plugin.database.reads import read_without_transaction, stop_reading
from plugin.members import staff
from plugin.models import Shop
from plugin.shopify.admin_api import app_config, http_client
from plugin.shopify.tokens import TokenExchangeFailed, exchange_online_user
from plugin.shopify_app import request_input, shopify

P = ParamSpec("P")
R = TypeVar("R")

PATCH_ID_TOKEN_ENDPOINT = "admin.patch_id_token"
# What an HTML answer carries when no verified shop is known (a refused token).
DEFAULT_CSP = "frame-ancestors https://admin.shopify.com;"


@dataclass
class AdminContext:
    token_shop: Shop  # the shop the session token was issued for (dest)
    shop: Shop  # the shop whose data this request sees and changes: always the token's
    user_id: str  # the staff member (the token's sub)
    role: str
    id_token: str
    host: str
    headers: dict[str, str] = field(default_factory=dict)  # CSP & co from verify_app_home_req

    @property
    def actor(self) -> str:
        return f"staff:{self.user_id}"

    @property
    def can_manage_grants(self) -> bool:
        return self.role in ("owner", "staff")


def admin() -> AdminContext:
    return g.admin


def _token_url() -> str:
    """The request URL as shopifyapp should see it: a form's token moved into the query."""
    token = request.form.get("id_token", "") if request.method == "POST" else ""
    if not token or request.headers.get("Authorization"):
        return request.url
    scheme, netloc, path, query, fragment = urlsplit(request.url)
    extra = urlencode({"id_token": token})
    return urlunsplit((scheme, netloc, path, f"{query}&{extra}" if query else extra, fragment))


def authenticate() -> AdminContext | Response:

    req = request_input(body="")  # the body is never part of App Home verification
    req["url"] = _token_url()
    result = shopify().verify_app_home_req(req, url_for(PATCH_ID_TOKEN_ENDPOINT))
    if not result.ok:
        if request.method != "GET" and result.response.status == 302:
            # A form posted with a stale token: reloading the page gets a fresh one.
            return refusal(
                401, "Your session expired", "Reload the page and submit the form again."
            )
        response = Response(result.response.body, status=result.response.status)
        response.headers.update(result.response.headers)
        return response
    if not result.shop or not result.user_id or result.id_token is None:
        return refusal(401, "Not signed in", "This page opens from the Shopify admin.")
    csp_headers = dict(result.response.headers)
    g.admin_headers = csp_headers
    try:
        token_shop = shop_for_session(f"{result.shop}.myshopify.com", result.id_token)
    except InstallFailed as exc:
        return refusal(503, "The app could not connect to your store", str(exc))
    user_id = str(result.user_id)
    _note_visit(token_shop, user_id, result.id_token)
    access = staff.access(user_id, token_shop)
    if access is None:
        names = staff.who_grants(token_shop)
        message = (
            _(
                "Ask {names} for access: they decide who may use this store's app.",
                names=", ".join(names),
            )
            if names
            else _("Ask the store owner for access.")
        )
        return refusal(403, _("No access to this store"), message)
    return AdminContext(
        token_shop=token_shop,
        shop=token_shop,
        user_id=user_id,
        role=access.role,
        id_token=result.id_token.token,
        host=request.values.get("host", ""),
        headers=csp_headers,
    )


def _note_visit(shop: Shop, user_id: str, id_token: Any) -> None:
    """Record the staff member (name, email, store owner) for the staff page; Shopify is asked
    who they are on their first visit and once a day after. A failed look-up does not refuse."""

    member = staff.member_of(user_id, shop.id)
    profile = None
    if staff.needs_profile(member):
        try:
            profile = exchange_online_user(app_config(), id_token, http_client())
        except TokenExchangeFailed as exc:
            current_app.logger.warning("online token exchange failed: %s", exc.code)
    staff.record_visit(shop, user_id, profile, member=member)  # commits what it writes


def app_home(view: Callable[P, R]) -> Callable[P, R | Response]:
    """Verify the session token and load the shop and staff member before the view runs."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | Response:
        # A page load (GET) reads without a transaction on PostgreSQL: no BEGIN and ROLLBACK, and
        # psycopg keeps its prepared statements, which a ROLLBACK discards. What such a load
        # writes (the staff visit, an install) is written in a unit of work, which ends the
        # reading first (plugin.database.reads).
        if request.method in ("GET", "HEAD"):
            read_without_transaction()
        try:
            outcome = authenticate()
            if isinstance(outcome, Response):
                return outcome
            g.admin = outcome
            return view(*args, **kwargs)
        finally:
            stop_reading()  # a no-op unless this load is still reading

    return wrapper


def refusal(status: int, title: str, message: str) -> Response:
    body = render_template("admin/refusal.html", title=title, message=message, status=status)
    response = Response(body, status=status, mimetype="text/html")
    if status == 401:
        response.headers["X-Shopify-Retry-Invalid-Session-Request"] = "1"
    return response


def page_url(endpoint: str, **values: Any) -> str:
    """A link inside the admin: no token (the patch-id-token page adds a fresh one), but the shop
    and host App Bridge needs."""
    ctx: AdminContext | None = g.get("admin")
    if ctx is not None:
        values.setdefault("shop", ctx.token_shop.domain)
        if ctx.host:
            values.setdefault("host", ctx.host)
    if has_request_context() and request.values.get("locale"):
        values.setdefault("locale", current_locale())  # Shopify's language stays with the page
    return url_for(endpoint, **values)


def apply_headers(response: Response) -> Response:
    """Every HTML answer carries the CSP frame-ancestors of the verified shop; admin data is
    never cached."""
    headers: dict[str, str] = g.get("admin_headers") or {}
    if response.mimetype == "text/html":
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        ctx: AdminContext | None = g.get("admin")
        response.headers.setdefault(
            "Content-Security-Policy",
            f"frame-ancestors https://{ctx.token_shop.domain} https://admin.shopify.com;"
            if ctx
            else DEFAULT_CSP,
        )
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def dev_mode() -> bool:
    return bool(current_app.config.get("DEV_MODE"))
