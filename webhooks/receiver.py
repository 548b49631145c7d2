"""POST /webhooks/<topic>: verify (shopifyapp), record once, enqueue, answer — in a few ms.

Nothing here calls Shopify or applies business rules. A delivery is acknowledged only once it
is durably recorded; the enqueue after commit may fail (Redis down) without losing it, because
the sweep re-enqueues events still ``received`` (invariant 1, issue: resilience).
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import select

from plugin.errors import error_response
from plugin.extensions import db
from plugin.jobs import process_webhook
from plugin.jobs.queue import job_queue
from plugin.models import Shop, WebhookEvent
from plugin.models.types import utcnow
from plugin.services.idempotent import insert_once
from plugin.services.shopify_payload import timestamp
from plugin.shopify_app import shopify
from webhooks.topics import COMPLIANCE_TOPICS, TOPICS

log = logging.getLogger(__name__)
bp = Blueprint("webhooks", __name__)

_SHOP_CACHE_SECONDS = 5.0
_shop_cache: dict[str, tuple[float, int | None, bool]] = {}


def _shop_for(domain: str) -> tuple[int | None, bool]:
    """(shop id, installed) by domain, cached briefly: the hot path's only read."""
    now = time.monotonic()
    cached = _shop_cache.get(domain)
    if cached and now - cached[0] < _SHOP_CACHE_SECONDS:
        return cached[1], cached[2]
    row = db.session.execute(select(Shop.id, Shop.uninstalled_at).where(Shop.domain == domain)).first()
    shop_id, installed = (row[0], row[1] is None) if row else (None, False)
    _shop_cache[domain] = (now, shop_id, installed)
    return shop_id, installed


def forget_shop(domain: str) -> None:
    _shop_cache.pop(domain, None)


@bp.post("/webhooks/<path:topic>")
def receive(topic: str) -> Response | tuple[Response, int]:
    if topic not in TOPICS:
        return error_response(404, "unknown_topic", f"This app does not subscribe to {topic!r}.")
    raw = request.get_data(cache=True)
    if len(raw) > current_app.config["MAX_WEBHOOK_BYTES"]:
        return error_response(413, "payload_too_large", "The webhook body is too large.")
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        return error_response(400, "invalid_body", "The webhook body is not UTF-8.")
    verified = shopify().verify_webhook_req(
        {"method": "POST", "headers": dict(request.headers.items()), "url": request.url, "body": body}
    )
    if not verified.ok:
        status = verified.response.status if 400 <= verified.response.status < 500 else 401
        return error_response(status, verified.log.code, "The webhook signature could not be verified.")

    headers = request.headers
    if headers.get("X-Shopify-Topic", "") != topic:
        return error_response(400, "topic_mismatch", "X-Shopify-Topic does not match the URL.")
    webhook_id = headers.get("X-Shopify-Webhook-Id", "").strip()
    if not webhook_id or len(webhook_id) > 64:
        return error_response(400, "missing_webhook_id", "X-Shopify-Webhook-Id is required.")
    domain = headers.get("X-Shopify-Shop-Domain", "").strip().lower()
    shop_id, installed = _shop_for(domain)
    # Compliance topics arrive after uninstall (shop/redact 48 h later): still accepted.
    if shop_id is None or (not installed and topic not in COMPLIANCE_TOPICS):
        return error_response(404, "unknown_shop", "This shop does not have the app installed.")
    try:
        payload: Any = json.loads(body)
    except ValueError:
        return error_response(400, "invalid_json", "The webhook body is not JSON.")
    if not isinstance(payload, dict):
        return error_response(400, "invalid_json", "The webhook body is not a JSON object.")

    event_id = insert_once(
        WebhookEvent,
        {
            "shop_id": shop_id,
            "webhook_id": webhook_id,
            "event_id": (headers.get("X-Shopify-Event-Id") or "")[:64] or None,
            "topic": topic,
            "api_version": (headers.get("X-Shopify-API-Version") or "")[:16] or None,
            "triggered_at": timestamp(headers.get("X-Shopify-Triggered-At")),
            "body": body,
            "state": "received",
            "received_at": utcnow(),
        },
        ["shop_id", "webhook_id"],
    )
    db.session.commit()
    if event_id is None:
        return jsonify({"status": "duplicate"}), 200
    job_queue().enqueue(process_webhook, event_id, queue="webhooks", job_id=f"webhook-{event_id}")
    return jsonify({"status": "accepted"}), 200
