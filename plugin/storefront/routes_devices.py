"""The member's devices, their serial numbers and warranty claims (POLICY.md 4).

GET /proxy/devices, POST /proxy/devices/<id>/serial, POST /proxy/warranty-claims,
POST /proxy/warranty-claims/<id>/withdraw. A device is
found only among the logged-in shopper's devices of this shop: anything else is 404 (invariant 5).
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from plugin.benefits import devices, uploads, warranty_claims
from plugin.database.reads import finish_reads
from plugin.errors import ApiError
from plugin.models import Member
from plugin.models.types import is_row_id
from plugin.storage import storage
from plugin.storefront.blueprint import bp
from plugin.storefront.context import ProxyContext, app_proxy, json_body, require_customer
from plugin.storefront.rate_limit import RateLimited, limit_writes, rate_limited_response


def personal(body: Any, status: int = 200) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "private, no-store"
    return response


def device_owner() -> tuple[ProxyContext, Member]:
    """The logged-in customer's TESmart ID; without one they own no registered device here."""
    ctx = require_customer()
    if ctx.member is None:
        raise devices.DeviceNotFound()
    return ctx, ctx.member


def positive_int(body: dict[str, Any], name: str) -> int:
    value = body.get(name)
    if not is_row_id(value):
        raise ApiError(400, "invalid_request", f"{name} must be a positive integer.")
    return value


def text(body: dict[str, Any], name: str, limit: int, *, required: bool = True) -> str:
    value = body.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > limit:
        raise ApiError(400, "invalid_request", f"{name} must be text of 1 to {limit} characters.")
    return value.strip()


def limited(ctx: ProxyContext, bucket: str) -> Response | None:
    try:
        limit_writes(ctx.shop.id, str(ctx.customer_id), bucket)
    except RateLimited as exc:
        return rate_limited_response(exc)
    return None


@bp.get("/devices")
@app_proxy(devices=True, autocommit_reads=True)  # the devices come in the context's statement
def list_devices() -> Response:
    ctx = require_customer()
    body = (
        devices.devices_payload(ctx.shop, ctx.member, rows=ctx.devices)
        if ctx.member is not None
        else []
    )
    finish_reads()
    return personal({"devices": body})


@bp.post("/devices/<int:device_id>/serial")
@app_proxy
def register_serial(device_id: int) -> Response:
    ctx, member = device_owner()
    if (refused := limited(ctx, "devices")) is not None:
        return refused
    body = json_body()
    device = devices.register_serial(
        ctx.shop, member, device_id, body.get("serial"), actor=f"customer:{ctx.customer_id}"
    )
    view = devices.device_view(ctx.shop, member, device)
    finish_reads()
    return personal(view)


@bp.post("/warranty-claims")
@app_proxy
def create_warranty_claim() -> Response:
    ctx, member = device_owner()
    if (refused := limited(ctx, "warranty")) is not None:
        return refused
    body = json_body()
    device_id, description = positive_int(body, "device_id"), text(body, "description", 2000)
    # Photos and video of the fault: files sent first to POST /uploads (the same bounds and
    # storage as a return's), named here by their ids; checked before anything is written.
    attached = uploads.own_references(
        storage(), ctx.shop.id, str(ctx.customer_id), body.get("uploads")
    )
    claim = warranty_claims.create_claim(
        ctx.shop,
        member,
        device_id,
        description,
        actor=f"customer:{ctx.customer_id}",
        serial=body.get("serial"),
        photos=attached,
    )
    return personal({"claim": devices.claim_view(claim)}, 201)


@bp.post("/warranty-claims/<int:claim_id>/withdraw")
@app_proxy
def withdraw_warranty_claim(claim_id: int) -> Response:
    ctx, member = device_owner()
    if (refused := limited(ctx, "warranty")) is not None:
        return refused
    claim = warranty_claims.withdraw_claim(
        ctx.shop, member, claim_id, actor=f"customer:{ctx.customer_id}"
    )
    return personal({"claim": devices.claim_view(claim)})
