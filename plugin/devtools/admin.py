"""Dev-only entry to the admin without Shopify: ``/dev/admin?shop=<domain>[&user=<staff id>]``.

It mints the session token Shopify's admin would (HS256 with the client secret; claims iss, dest,
aud, sub, exp, nbf, iat, jti, sid) and redirects to the admin with ``id_token``, ``shop`` and
``host``, as Shopify loads an embedded app. A signed cookie remembers shop and staff member so
that the patch-id-token page can mint the next token where App Bridge would fetch it.

``create_app`` registers this blueprint only in dev mode, and every route answers 404 otherwise.
"""

from __future__ import annotations

import base64
import uuid
from typing import Any, cast
from urllib.parse import parse_qsl, urlencode, urlsplit

import jwt
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from plugin import clock
from plugin.devtools.guard import dev_mode_only
from plugin.extensions import db
from plugin.models import Shop
from plugin.shops.registry import ShopError, normalize_domain

bp = Blueprint("admin_dev", __name__, url_prefix="/dev/admin", template_folder="templates")

COOKIE = "tesmart_dev_admin"
TOKEN_LIFETIME = 60  # seconds, like Shopify's session tokens
DEFAULT_USER = "1"


bp.before_request(dev_mode_only)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SHOPIFY_API_SECRET"], salt=COOKIE)


def mint_session_token(shop_domain: str, user_id: str, *, lifetime: int = TOKEN_LIFETIME) -> str:
    now = int(clock.now().timestamp())
    claims: dict[str, Any] = {
        "iss": f"https://{shop_domain}/admin",
        "dest": f"https://{shop_domain}",
        "aud": current_app.config["SHOPIFY_API_KEY"],
        "sub": str(user_id),
        "exp": now + lifetime,
        "nbf": now - 1,
        "iat": now - 1,
        "jti": str(uuid.uuid4()),
        "sid": str(uuid.uuid4()),
    }
    return jwt.encode(claims, current_app.config["SHOPIFY_API_SECRET"], algorithm="HS256")


def host_param(shop_domain: str) -> str:
    """Shopify's ``host``: base64 of the admin's address for the store."""
    handle = shop_domain.removesuffix(".myshopify.com")
    return (
        base64.urlsafe_b64encode(f"admin.shopify.com/store/{handle}".encode()).decode().rstrip("=")
    )


def _session() -> dict[str, str] | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data = _serializer().loads(raw)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not data.get("shop") or not data.get("user"):
        return None
    return {"shop": str(data["shop"]), "user": str(data["user"])}


@bp.get("")
def entry() -> Response | str:
    raw_shop = (request.args.get("shop") or "").strip()
    user = (request.args.get("user") or DEFAULT_USER).strip()[:64] or DEFAULT_USER
    if not raw_shop:
        shops = db.session.execute(select(Shop).order_by(Shop.id)).scalars().all()
        return render_template("dev_admin.html", shops=shops, user=user)
    try:
        domain = normalize_domain(raw_shop)
    except ShopError:
        abort(400)
    token = mint_session_token(domain, user)
    params = {"embedded": "1", "id_token": token, "shop": domain, "host": host_param(domain)}
    locale = (request.args.get("locale") or "").strip()[:16]
    if locale:  # Shopify passes the staff member's admin language with every App Home load
        params["locale"] = locale
    query = urlencode(params)
    # flask's redirect() is typed as werkzeug's Response; it builds the app's flask Response.
    response = cast(Response, redirect(f"{url_for('admin.dashboard')}?{query}", code=302))
    response.set_cookie(
        COOKIE, _serializer().dumps({"shop": domain, "user": user}), httponly=True, samesite="Lax"
    )
    return response


@bp.get("/token")
def token() -> Response:
    """A fresh token for the dev session (the admin's script asks before posting a form)."""
    session = _session()
    if session is None:
        abort(401)
    response = jsonify({"id_token": mint_session_token(session["shop"], session["user"])})
    response.headers["Cache-Control"] = "no-store"
    return response


def reload_with_fresh_token() -> Response | None:
    """What App Bridge does on the patch-id-token page: reload ``shopify-reload`` with a token."""
    session = _session()
    target = request.args.get("shopify-reload", "")
    parts = urlsplit(target)
    # Only a path of this app: never an absolute URL (an open redirect).
    if session is None or parts.scheme or parts.netloc or not target.startswith("/"):
        return None
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "id_token"]
    query.append(("id_token", mint_session_token(session["shop"], session["user"])))
    # flask's redirect() is typed as werkzeug's Response; it builds the app's flask Response.
    return cast(Response, redirect(f"{parts.path}?{urlencode(query)}", code=302))
