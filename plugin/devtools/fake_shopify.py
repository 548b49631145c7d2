"""Dev mode's window on the in-process fake Admin API: ``GET /dev/shopify?shop=<domain>`` answers
what the app sent that shop (the Flow triggers it received, the customer metafields written, the
operations called), as JSON. Registered by ``create_app`` only in dev mode; 404 otherwise."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, jsonify, request

from plugin.shopify.admin_api import fake_admin
from plugin.shopify.fake.store import shop_domain

bp = Blueprint("dev_shopify", __name__, url_prefix="/dev/shopify")


@bp.before_request
def _dev_only() -> None:
    if (
        not current_app.config.get("DEV_MODE")
        or current_app.config.get("SHOPIFY_ADMIN_API") != "fake"
    ):
        abort(404)


@bp.get("")
def received() -> Response | tuple[Response, int]:
    shop = (request.args.get("shop") or "").strip()
    if not shop:
        return jsonify(error="shop_required", message="Pass ?shop=<shop>.myshopify.com"), 400
    fake = fake_admin()
    domain = shop_domain(shop)
    return jsonify(
        shop=domain,
        flow_triggers=fake.flow_triggers(domain),
        customer_metafields=fake.all_customer_metafields(domain),
        operations=[name for name in fake.operations_called(domain) if name],
    )
