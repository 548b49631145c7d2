"""Devices for the customer-account extension: one order's, or all of the customer's."""

from __future__ import annotations

from flask import Response, jsonify

from plugin.extension_api import bp
from plugin.extension_api.context import extension_context, preflight
from plugin.extensions import db


def _devices(order_id: str | None) -> Response:
    from plugin.services.devices import devices_payload

    ctx = extension_context("customer_account")
    if ctx.customer_id is None or ctx.member is None:
        devices: list[dict] = []
    else:
        devices = devices_payload(ctx.shop, ctx.member, order_id=order_id)
    db.session.rollback()
    return jsonify({"devices": devices})


@bp.route("/devices", methods=["GET", "OPTIONS"])
def devices() -> Response:
    return preflight() or _devices(None)


@bp.route("/orders/<order_id>/devices", methods=["GET", "OPTIONS"])
def order_devices(order_id: str) -> Response:
    if not order_id.isdigit():
        return preflight() or jsonify({"devices": []})
    return preflight() or _devices(order_id)
