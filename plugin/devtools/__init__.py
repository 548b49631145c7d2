"""Dev-only local storefront: the theme widgets working without a Shopify store.

``create_app`` registers :data:`dev_storefront` only when ``DEV_MODE`` is on (and every route
answers 404 otherwise, in case it is registered by mistake).

- ``GET /dev/storefront?shop=<domain>&customer=<customer id or empty>``: a page with the same
  widget containers the theme app extension renders, a store switcher and a customer switcher.
  It remembers the choice in a signed session cookie, ``tesmart_dev_storefront``.
- ``GET /dev/assets/<file>``: the extension's ``assets/`` (``tesmart.js``, ``tesmart.css``).
- ``ANY /apps/tesmart/<path>``: a stand-in for Shopify's app proxy. It reads shop and customer
  from the cookie, drops any proxy parameters the browser sent, adds ``shop``,
  ``logged_in_customer_id``, ``path_prefix``, ``timestamp`` and ``signature`` the way Shopify
  does, and dispatches in-process to ``/proxy/<path>``, returning its status, headers and body.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from typing import Any, TypedDict
from urllib.parse import quote, urlencode

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    make_response,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import Markup
from werkzeug.test import EnvironBuilder, run_wsgi_app

from plugin import clock
from plugin.devtools import shops as dev_shops
from plugin.devtools.guard import dev_mode_only
from plugin.devtools.theme_markup import (
    APP_EMBED,
    ASSETS_DIR,
    PROXY_BASE,
    SECTION_BLOCKS,
    render_container,
)

dev_storefront = Blueprint("dev_storefront", __name__, template_folder="templates")

COOKIE = "tesmart_dev_storefront"
# Shopify sets these itself; whatever the browser sent under these names is dropped.
PROXY_PARAMS = frozenset({"shop", "logged_in_customer_id", "path_prefix", "timestamp", "signature"})
# Shopify's proxy does not pass the storefront's cookies on, nor the app's Set-Cookie back.
FORWARDED_REQUEST_HEADERS = ("Content-Type", "Accept", "Accept-Language", "User-Agent")
DROPPED_RESPONSE_HEADERS = frozenset(
    {"set-cookie", "connection", "keep-alive", "transfer-encoding", "content-length"}
)
PROXY_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
DEV_LOGIN_ANCHOR = "#tesmart-dev-customer"
# Dev mode only: the signed proxy request says "preview", and a storefront view is then not a login
# (plugin.storefront.context), so the demo's pending ID can be seen pending.
PREVIEW_PARAM = "tesmart_dev_preview"


class DevSession(TypedDict):
    shop: str
    customer: str
    preview: bool  # look as this customer without logging in (a pending ID stays pending)


dev_storefront.before_request(dev_mode_only)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SHOPIFY_API_SECRET"], salt=COOKIE)


def read_session() -> DevSession | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data = _serializer().loads(raw)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("shop"), str):
        return None
    return DevSession(
        shop=data["shop"],
        customer=str(data.get("customer") or ""),
        preview=bool(data.get("preview")),
    )


def sign_proxy_query(pairs: Iterable[tuple[str, str]], secret: str) -> str:
    """Shopify's app proxy signature (SHOPIFY.md, App proxy).

    Drop ``signature``, join a repeated key's values with ``,``, sort the ``key=value`` pairs by
    key, concatenate them with no separator, and take the HMAC-SHA256 hex digest.
    """
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        if key != "signature":
            grouped.setdefault(key, []).append(value)
    message = "".join(f"{key}={','.join(values)}" for key, values in sorted(grouped.items()))
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def _page(status: int, **context: Any) -> Response:
    response = make_response(render_template("dev_storefront.html", **context), status)
    response.headers["Cache-Control"] = "no-store"
    return response


def local_location(location: str) -> str:
    """The store's home page (where a logged-out friend lands with the referral code) and its
    /discount/ route are this local storefront; anything else is left as it is."""
    page = url_for("dev_storefront.storefront")
    if location == "/" or location.startswith("/?"):
        return page + location[1:]
    if location.startswith("/discount/"):
        return page + "?discount=" + quote(location.split("/")[2].split("?")[0])
    return location


@dev_storefront.get("/dev/storefront")
def storefront() -> Response:
    shops = dev_shops.list_dev_shops()
    session = read_session()
    domain = request.args.get("shop") or (session["shop"] if session else "")
    if not domain and shops:
        domain = shops[0]["domain"]
    shop = next((s for s in shops if s["domain"] == domain), None)
    base: dict[str, Any] = {
        "shops": shops,
        "shop": shop,
        "customer": "",
        "customers": [],
        "blocks": [],
        "launcher": None,
    }
    if not shops:
        return _page(200, **base, problem="no_shops")
    if shop is None:
        return _page(404, **base, problem="unknown_shop", asked=domain)

    if "customer" in request.args:
        customer = request.args["customer"].strip()
    else:
        customer = session["customer"] if session and session["shop"] == domain else ""
    if customer and not customer.isdigit():
        return _page(400, **base, problem="bad_customer", asked=customer)

    settings: dict[str, Any] = {
        "locale": shop["locale"],
        "currency": shop["currency"],
        "logged_in": bool(customer),
        "login_url": DEV_LOGIN_ANCHOR,
    }
    # ``blocks=member-status,rewards`` (or ``none``) and ``embed=0`` show the page with fewer of the
    # app's blocks, or without its launcher embed: the performance comparison
    # (benchmarks/lighthouse.py).
    shown = request.args.get("blocks")
    kinds = (
        SECTION_BLOCKS
        if shown is None
        else tuple(k for k in SECTION_BLOCKS if k in shown.split(","))
    )
    blocks = [
        {"kind": kind, "html": render_container(kind, block_id=f"dev-{kind}", **settings)}
        for kind in kinds
    ]
    launcher: Markup | None = None
    if request.args.get("embed") != "0":
        launcher = render_container(
            APP_EMBED, block_id=f"dev-{APP_EMBED}", position="bottom-right", **settings
        )
    response = _page(
        200,
        **{
            **base,
            "customer": customer,
            "customers": dev_shops.list_dev_customers(domain),
            "blocks": blocks,
            "launcher": launcher,
        },
    )
    response.set_cookie(
        COOKIE,
        _serializer().dumps(
            {"shop": domain, "customer": customer, "preview": request.args.get("preview") == "1"}
        ),
        httponly=True,
        samesite="Lax",
        path="/",
    )
    return response


@dev_storefront.get("/dev/assets/<path:filename>")
def asset(filename: str) -> Response:
    response = send_from_directory(ASSETS_DIR, filename, max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


@dev_storefront.route(PROXY_BASE, defaults={"rest": ""}, methods=PROXY_METHODS)
@dev_storefront.route(f"{PROXY_BASE}/<path:rest>", methods=PROXY_METHODS)
def app_proxy(rest: str) -> Response:
    session = read_session()
    if session is None:
        page = url_for("dev_storefront.storefront")
        response = jsonify(
            error={
                "code": "dev_session_missing",
                "message": f"Open {page} first: it chooses the shop and the customer.",
            }
        )
        response.status_code = 400
        return response

    query = [(k, v) for k, v in request.args.items(multi=True) if k not in PROXY_PARAMS]
    query += [
        ("shop", session["shop"]),
        ("logged_in_customer_id", session["customer"]),
        ("path_prefix", PROXY_BASE),
        ("timestamp", str(int(clock.now().timestamp()))),
    ]
    if session["preview"]:
        query.append((PREVIEW_PARAM, "1"))
    query.append(("signature", sign_proxy_query(query, current_app.config["SHOPIFY_API_SECRET"])))

    if rest == "uploads":  # a photo or video: the upload route sets its own bound
        request.max_content_length = (
            int(current_app.config.get("UPLOAD_MAX_BYTES") or 0) + 1 or None
        )
    headers = {
        name: request.headers[name] for name in FORWARDED_REQUEST_HEADERS if name in request.headers
    }
    environ = EnvironBuilder(
        path="/proxy/" + quote(rest, safe="/") if rest else "/proxy",
        base_url=request.host_url,
        method=request.method,
        query_string=urlencode(query),
        headers=headers.items(),
        data=request.get_data(),
        environ_base={"REMOTE_ADDR": request.remote_addr or "127.0.0.1"},
    ).get_environ()
    # A fresh app context: the proxied request gets its own g and database session.
    with current_app.app_context():
        body, status, proxied_headers = run_wsgi_app(current_app.wsgi_app, environ, buffered=True)
        data = b"".join(body)
    kept = [
        (k, local_location(v) if k.lower() == "location" else v)
        for k, v in proxied_headers.items()
        if k.lower() not in DROPPED_RESPONSE_HEADERS
    ]
    return Response(data, status=status, headers=kept)
