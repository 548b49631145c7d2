"""Devices for the customer-account extension: one order's, or all of the customer's.

The same Device objects as ``GET /proxy/devices`` (``plugin.benefits.devices.devices_payload``), for
the customer of the session token only. A guest, a customer without a TESmart ID, or an order
that is not theirs gets an empty list rather than an error: the extension then shows nothing.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from plugin.benefits.devices import devices_payload
from plugin.database.reads import finish_reads
from plugin.extension_api.blueprint import bp
from plugin.extension_api.context import extension_context, preflight, read_only


def _devices(order_id: str | None) -> Response:
    ctx = extension_context("customer_account")
    devices: list[dict[str, Any]] = []
    if ctx.customer_id is not None and ctx.member is not None:
        devices = devices_payload(ctx.shop, ctx.member, order_id=order_id)
    finish_reads()  # read-only: nothing of this request is kept
    return jsonify({"devices": devices})


@bp.route("/devices", methods=["GET", "OPTIONS"])
@read_only
def devices() -> Response:
    return preflight() or _devices(None)


@bp.route("/orders/<order_id>/devices", methods=["GET", "OPTIONS"])
@read_only
def order_devices(order_id: str) -> Response:
    if (answer := preflight()) is not None:
        return answer
    if not order_id.isdigit():  # the extension sends Shopify's numeric order id
        extension_context("customer_account")  # still only for a valid session token
        return jsonify({"devices": []})
    return _devices(order_id)
