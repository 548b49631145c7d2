"""The Shopify Flow action "Adjust TESmart points" (extensions/flow-adjust-points).

``POST /integrations/flow/adjust-points``: Flow sends each run of the action as JSON
(``shop_id``, ``shopify_domain``, ``action_run_id``, ``handle``, ``properties`` with
``customer_id`` and the action's fields ``points`` and ``reason``), signed as Shopify signs its
webhooks: ``X-Shopify-Hmac-SHA256`` is the base64 HMAC-SHA256 of the raw body with the app's client
secret (the previous secret too while a rotation is under way). Nothing in the request is trusted
before that check; a forged or unsigned request gets 401.

Flow retries a run that timed out or got a 5xx/429, with the same ``action_run_id``: the
adjustment's cause key is derived from it, so a run delivered twice adjusts once. The adjustment
is a manual one in every other way (plugin/points/adjustments.py): bounded, with the reason, in
the ledger and the audit log (actor ``shopify_flow``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from flask import Response, current_app, jsonify, request
from sqlalchemy import select

from plugin.errors import ApiError
from plugin.extensions import db
from plugin.integrations.blueprint import bp
from plugin.models import Member, ShopCustomer
from plugin.points.adjustments import adjust_points
from plugin.shops.registry import find_shop

HANDLE = "tesmart-adjust-points"
HMAC_HEADER = "X-Shopify-Hmac-SHA256"
ACTOR = "shopify_flow"


def signed_by_shopify(body: bytes, header: str | None) -> bool:
    if not header:
        return False
    secrets = [
        current_app.config["SHOPIFY_API_SECRET"],
        current_app.config.get("SHOPIFY_OLD_API_SECRET"),
    ]
    for secret in filter(None, secrets):
        expected = base64.b64encode(
            hmac.new(secret.encode(), body, hashlib.sha256).digest()
        ).decode()
        if hmac.compare_digest(expected, header.strip()):
            return True
    return False


def adjustment_id_for(shop_id: int, action_run_id: str) -> str:
    """The manual adjustment's id (32 hex) for one Flow run: the same run, the same cause key."""
    return hashlib.sha256(f"flow:{shop_id}:{action_run_id}".encode()).hexdigest()[:32]


@bp.post("/flow/adjust-points")
def flow_adjust_points() -> Response:
    body = request.get_data(cache=False)
    if not signed_by_shopify(body, request.headers.get(HMAC_HEADER)):
        raise ApiError(401, "invalid_signature", "The request is not signed by Shopify.")
    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise ApiError(400, "invalid_json", "The request body must be a JSON object.") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("properties"), dict):
        raise ApiError(400, "invalid_payload", "The body must carry the action's properties.")
    if payload.get("handle") not in (None, HANDLE):
        raise ApiError(400, "unknown_action", f"This endpoint runs the {HANDLE} action only.")
    run_id = payload.get("action_run_id")
    if not isinstance(run_id, str) or not 1 <= len(run_id) <= 200:
        raise ApiError(400, "invalid_payload", "action_run_id is required.")
    properties: dict[str, Any] = payload["properties"]
    points = _points(properties.get("points"))
    reason = properties.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise ApiError(400, "invalid_payload", "reason is required.")
    shop = find_shop(str(payload.get("shopify_domain") or ""))
    if shop is None or not shop.installed:
        raise ApiError(404, "unknown_shop", "This shop does not have the app installed.")
    customer_id = str(properties.get("customer_id") or "").rpartition("/")[2]
    member = (
        db.session.execute(
            select(Member)
            .join(ShopCustomer, ShopCustomer.member_id == Member.id)
            .where(ShopCustomer.shop_id == shop.id, ShopCustomer.customer_id == customer_id)
        ).scalar_one_or_none()
        if customer_id.isdigit()
        else None
    )
    if member is None:
        raise ApiError(404, "unknown_customer", "This customer has no TESmart ID in this store.")
    entry = adjust_points(
        shop,
        member,
        delta=points,
        reason=f"{reason.strip()[:480]} (Shopify Flow)",
        actor=ACTOR,
        adjustment_id=adjustment_id_for(shop.id, run_id),
    )  # a refusal is the handler's 422 adjustment_refused
    response = jsonify({"entry_id": entry.id, "points": entry.delta})
    response.headers["Cache-Control"] = "no-store"
    return response


def _points(value: Any) -> int:
    # Flow sends a number_integer field as a number; a string of digits is accepted too.
    if isinstance(value, bool):
        raise ApiError(400, "invalid_points", "points must be a whole number.")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise ApiError(400, "invalid_points", "points must be a whole number.")
