"""POST /webhooks/<topic>: verify (shopifyapp), record once, push onto the stream, answer — in a
few ms.

Nothing here calls Shopify or applies business rules. A delivery is acknowledged only once it
is durably recorded; the enqueue after commit may fail (Redis down) without losing it, because
the sweep re-enqueues events still ``received`` (invariant 1, issue: resilience).
"""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any

import psycopg
from flask import Blueprint, Response, current_app, request
from sqlalchemy import URL, BigInteger, Engine, bindparam, select, text
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import RequestEntityTooLarge

from plugin import clock
from plugin.connections import ConnectionLost, OwnConnection
from plugin.errors import error_response
from plugin.extensions import db
from plugin.jobs.queue import job_queue
from plugin.models import Shop
from plugin.models.types import UTCDateTime
from plugin.shopify.payloads import timestamp
from plugin.shopify_app import shopify
from webhooks.shapes import refusal
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
    with db.engine.connect() as conn:
        row = conn.execute(
            select(Shop.id, Shop.uninstalled_at).where(Shop.domain == domain)
        ).first()
    shop_id, installed = (row[0], row[1] is None) if row else (None, False)
    _shop_cache[domain] = (now, shop_id, installed)
    return shop_id, installed


def forget_shop(domain: str) -> None:
    _shop_cache.pop(domain, None)


_INSERT_EVENT_SQL = (
    "INSERT INTO webhook_events (shop_id, webhook_id, event_id, topic, api_version, triggered_at,"
    " body, state, attempts, received_at) VALUES (:shop_id, :webhook_id, :event_id, :topic,"
    " :api_version, :triggered_at, :body, 'received', 0, :received_at)"
    " ON CONFLICT (shop_id, webhook_id) DO NOTHING RETURNING id"
)
# Typed bind parameters (UTCDateTime on SQLite), the id back; a TextClause because SQLAlchemy does
# not cache the compiled form of the dialects' INSERT ... ON CONFLICT constructs (it would compile
# them on every delivery).
_INSERT_EVENT = (
    text(_INSERT_EVENT_SQL)
    .bindparams(
        bindparam("triggered_at", type_=UTCDateTime()),
        bindparam("received_at", type_=UTCDateTime()),
    )
    .columns(id=BigInteger())
)
# The same statement in psycopg's parameter style (see _insert_event).
_PG_INSERT_EVENT = re.sub(r":(\w+)", r"%(\1)s", _INSERT_EVENT_SQL)
_ACCEPTED = b'{"status":"accepted"}\n'
_DUPLICATE = b'{"status":"duplicate"}\n'


# The WSGI environ's keys of each Shopify header: ``X-Shopify-Topic`` and, on newer deliveries,
# ``shopify-topic`` (the names shopifyapp's verifier also reads). Read straight from the environ,
# as werkzeug's header lookup would, without building the key again on every call.
def _environ_keys(name: str) -> tuple[str, str]:
    key = name.upper().replace("-", "_")
    return f"HTTP_X_SHOPIFY_{key}", f"HTTP_SHOPIFY_{key}"


_HEADER_KEYS = {
    name: _environ_keys(name)
    for name in (
        "Hmac-Sha256",
        "Shop-Domain",
        "Topic",
        "Webhook-Id",
        "Event-Id",
        "API-Version",
        "Triggered-At",
    )
}


def _header(environ: dict[str, Any], name: str) -> str:
    """A Shopify header by its name without the ``X-`` prefix, either spelling, or ``""``."""
    first, second = _HEADER_KEYS[name]
    return environ.get(first) or environ.get(second) or ""


def _unverified(topic: str, code: str, message: str) -> Response:
    """A request that cannot be authenticated. Compliance topics always get 401 for it (Shopify's
    compliance checks send them unsigned and expect exactly that); others keep the specific 4xx."""
    if topic in COMPLIANCE_TOPICS:
        return error_response(401, "invalid_hmac", "The webhook signature could not be verified.")
    status = 413 if code == "payload_too_large" else 400
    return error_response(status, code, message)


def _ignored(reason: str, topic: str, domain: str, webhook_id: str) -> Response:
    """A signed delivery that is not believed, or that concerns nothing the app holds: 200, nothing
    written (docs/architecture.md, "Refused deliveries"), and one log line with the reason."""
    log.warning(
        "webhook ignored: %s (topic %s, shop %s, webhook %s)",
        reason,
        topic,
        domain or "-",
        webhook_id,
    )
    return Response(
        json.dumps({"status": "ignored", "reason": reason}) + "\n", mimetype="application/json"
    )


@bp.post("/webhooks/<path:topic>")
def receive(topic: str) -> Response | tuple[Response, int]:
    if topic not in TOPICS:
        return error_response(404, "unknown_topic", f"This app does not subscribe to {topic!r}.")
    environ = request.environ
    try:
        raw = request.get_data(cache=True)
    except RequestEntityTooLarge:
        raw = None
    if raw is None or len(raw) > current_app.config["MAX_WEBHOOK_BYTES"]:
        return _unverified(topic, "payload_too_large", "The webhook body is too large.")
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        return _unverified(topic, "invalid_body", "The webhook body is not UTF-8.")
    # Authentication first, before anything reads the body. The verifier reads the signature and
    # the shop's header, and copies every header it is given into its log record: give it those.
    verified = shopify().verify_webhook_req(
        {
            "method": "POST",
            "headers": {
                "X-Shopify-Hmac-Sha256": _header(environ, "Hmac-Sha256"),
                "X-Shopify-Shop-Domain": _header(environ, "Shop-Domain"),
            },
            "url": request.path,
            "body": body,
        }
    )
    if not verified.ok:
        # 401 for every signature failure, a missing header included: Shopify's compliance checks
        # expect 401 for a delivery the app cannot authenticate.
        return error_response(
            401, verified.log.code, "The webhook signature could not be verified."
        )

    if _header(environ, "Topic") != topic:
        return error_response(400, "topic_mismatch", "X-Shopify-Topic does not match the URL.")
    webhook_id = _header(environ, "Webhook-Id").strip()
    if not webhook_id or len(webhook_id) > 64:
        return error_response(400, "missing_webhook_id", "X-Shopify-Webhook-Id is required.")
    domain = _header(environ, "Shop-Domain").strip().lower()
    try:
        payload: Any = json.loads(body)
    except (ValueError, RecursionError):  # not JSON, too deep, or an integer of thousands of digits
        payload = None
    row = {
        "webhook_id": webhook_id,
        "event_id": _header(environ, "Event-Id")[:64] or None,
        "topic": topic,
        "api_version": _header(environ, "API-Version")[:16] or None,
        "triggered_at": timestamp(_header(environ, "Triggered-At")),
        "body": body,
    }
    try:
        return _record(domain, topic, payload, row)
    except (ConnectionLost, DBAPIError) as exc:
        # The server hung up on the pooled connection just before this checkout (a restart as it
        # happens): the insert is idempotent, so one more try on a fresh connection is safe.
        if isinstance(exc, DBAPIError) and not exc.connection_invalidated:
            raise
    return _record(domain, topic, payload, row)


def _record(
    domain: str, topic: str, payload: Any, row: dict[str, Any]
) -> Response | tuple[Response, int]:
    shop_id, installed = _shop_for(domain)
    if shop_id is None or not installed:
        # Compliance topics arrive after uninstall (shop/redact 48 h later): still accepted. For a
        # shop the app never saw or has already erased there is nothing to hand over or erase, and
        # a 4xx would only make Shopify retry and count failures.
        if topic in COMPLIANCE_TOPICS and shop_id is None:
            return _ignored("unknown_shop", topic, domain, row["webhook_id"])
        if topic not in COMPLIANCE_TOPICS:
            return error_response(404, "unknown_shop", "This shop does not have the app installed.")
    if payload is None:
        return error_response(400, "invalid_json", "The webhook body is not JSON.")
    if not isinstance(payload, dict):
        return error_response(400, "invalid_json", "The webhook body is not a JSON object.")
    reason = refusal(topic, domain, payload, installed=installed)
    if reason is not None:
        return _ignored(reason, topic, domain, row["webhook_id"])
    event_id = _insert_event({**row, "shop_id": shop_id, "received_at": clock.now()})
    if event_id is None:
        return Response(_DUPLICATE, mimetype="application/json")
    job_queue().enqueue_webhook(event_id)
    return Response(_ACCEPTED, mimetype="application/json")


def _insert_event(values: dict[str, Any]) -> int | None:
    """The new event's id, durable when this returns; None when the delivery was recorded before.

    One statement in autocommit, with no BEGIN/COMMIT round trips. On PostgreSQL it runs on the
    receiver's own connection (``plugin.connections.OwnConnection``), as plain psycopg: the pool's
    checkout and SQLAlchemy's execution machinery cost as much CPU as the statement itself.
    """
    engine = db.engine
    if engine.dialect.name != "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            return conn.execute(_INSERT_EVENT, values).scalar()
    own = _own_connection(engine)
    conn = own.get()
    try:
        row = conn.execute(_PG_INSERT_EVENT, values).fetchone()
    except psycopg.OperationalError as exc:
        if conn.closed or conn.broken:
            own.discard()
            raise ConnectionLost(str(exc)) from exc
        raise
    return None if row is None else int(row[0])


_own_connections: dict[URL, OwnConnection] = {}
# The last engine asked for and its connection: hashing an engine's URL (a named tuple holding a
# dict) for the lookup cost as much as the rest of the connection's checkout.
_last_own: tuple[Engine, OwnConnection] | None = None


def _own_connection(engine: Engine) -> OwnConnection:
    global _last_own
    last = _last_own
    if last is not None and last[0] is engine:
        return last[1]
    own = _own_connections.get(engine.url)
    if own is None:
        dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        own = _own_connections.setdefault(engine.url, OwnConnection(dsn))
    _last_own = (engine, own)
    return own
