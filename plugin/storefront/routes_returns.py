"""Returns (POLICY.md 6): POST /proxy/returns/check, POST /proxy/returns, and POST /proxy/uploads
for the request's photos and videos.

The order must be the logged-in customer's (or their TESmart ID's) in this shop; otherwise 404.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Response, current_app, request

from plugin.benefits import returns, uploads
from plugin.errors import ApiError
from plugin.storage import storage
from plugin.storefront.blueprint import bp
from plugin.storefront.context import app_proxy, json_body, require_customer
from plugin.storefront.routes_devices import limited, personal, text

COUNTRY = re.compile(r"^[A-Z]{2}$")
URL = re.compile(r"^https?://\S+$")


def reason_of(body: dict[str, Any]) -> str:
    reason = body.get("reason")
    if reason not in returns.REASONS:
        raise ApiError(
            400, "invalid_request", "reason must be one of " + ", ".join(returns.REASONS) + "."
        )
    return str(reason)


def order_ref(body: dict[str, Any]) -> str:
    return text(body, "order_id", 64)


@bp.post("/returns/check")
@app_proxy
def check_return() -> Response:
    ctx = require_customer()
    body = json_body()
    verdict = returns.check(
        ctx.shop, str(ctx.customer_id), ctx.member, order_ref(body), reason_of(body)
    )
    return personal(verdict)


@bp.post("/returns")
@app_proxy
def create_return() -> Response:
    ctx = require_customer()
    if (refused := limited(ctx, "returns")) is not None:
        return refused
    body = json_body()
    photos = body.get("photos", [])
    if (
        not isinstance(photos, list)
        or len(photos) > 10
        or not all(isinstance(p, str) and URL.match(p) for p in photos)
    ):
        raise ApiError(400, "invalid_request", "photos must be a list of up to 10 links.")
    attached = uploads.own_references(
        storage(), ctx.shop.id, str(ctx.customer_id), body.get("uploads")
    )
    address = body.get("delivery_address")
    if not isinstance(address, dict):
        raise ApiError(
            400, "invalid_request", "delivery_address must have address1, city, zip and country."
        )
    clean_address = {
        "address1": text(address, "address1", 255),
        "city": text(address, "city", 255),
        "zip": text(address, "zip", 32, required=False),
        "country": text(address, "country", 2),
    }
    if not COUNTRY.match(clean_address["country"]):
        raise ApiError(400, "invalid_request", "country must be a two-letter code such as US.")
    request = returns.create_return(
        ctx.shop,
        str(ctx.customer_id),
        ctx.member,
        order_ref=order_ref(body),
        reason=reason_of(body),
        description=text(body, "description", 4000, required=False),
        proof_of_purchase=text(body, "proof_of_purchase", 2000),
        photos=[p.strip() for p in photos] + attached,
        delivery_address=clean_address,
        phone=text(body, "phone", 64),
        actor=f"customer:{ctx.customer_id}",
    )
    return personal({"return": returns.return_view(request)}, 201)


@bp.post("/uploads")
@app_proxy
def upload_file() -> Response:
    """One photo or video as the raw request body (its type read from its first bytes)."""
    ctx = require_customer()
    limit = int(current_app.config.get("UPLOAD_MAX_BYTES") or uploads.DEFAULT_MAX_BYTES)
    uploads.check_size(request.content_length, limit)
    if (refused := limited(ctx, "uploads")) is not None:
        return refused
    request.max_content_length = limit
    saved = uploads.save(
        storage(), ctx.shop.id, str(ctx.customer_id), request.get_data(cache=False), limit
    )
    return personal({"upload": saved}, 201)
