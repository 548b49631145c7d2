"""Calls from third-party apps, signed with the shop's integration secret.

``POST /integrations/reviews``: a review app reports a published review (POLICY.md 3: 100 points,
200 with photos, once per product per member). Headers: ``X-Shopify-Shop-Domain`` names the shop,
``X-TESmart-Signature`` is the base64 HMAC-SHA256 of the raw body with that shop's secret.
"""

from __future__ import annotations

import json

from flask import Response, jsonify, request

from plugin.errors import ApiError
from plugin.integrations import flow  # noqa: F401  (POST /integrations/flow/adjust-points)
from plugin.integrations.blueprint import bp
from plugin.integrations.secret import (
    SIGNATURE_HEADER,
    rotate_integration_secret,
    sign,
    signature_valid,
)
from plugin.points.activities import parse_review, record_review
from plugin.shops.registry import find_shop

__all__ = ["bp", "rotate_integration_secret", "sign"]


@bp.post("/reviews")
def reviews() -> Response:
    shop = find_shop(request.headers.get("X-Shopify-Shop-Domain", ""))
    if shop is None or not shop.installed:
        raise ApiError(404, "unknown_shop", "This shop does not have the app installed.")
    body = request.get_data(cache=False)
    if not signature_valid(shop, body, request.headers.get(SIGNATURE_HEADER)):
        raise ApiError(
            401,
            "invalid_signature",
            "The request is not signed with this shop's integration secret.",
        )
    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise ApiError(400, "invalid_json", "The request body must be a JSON object.") from exc
    awarded = record_review(shop, parse_review(payload))
    response = jsonify({"points_awarded": awarded})
    response.headers["Cache-Control"] = "no-store"
    return response
