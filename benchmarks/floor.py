"""The floor: the least a webhook endpoint can do and still be correct about durability.

Verify the HMAC, insert one row, push one Redis entry, answer 200 — nothing else. Served by the
same gunicorn settings as the app, against the same PostgreSQL and Redis, so the ratio app/floor
shows what the app's own receiver costs on top of the unavoidable work.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

import psycopg
from flask import Flask, Response, request
from redis import Redis

from benchmarks.floor_schema import DDL  # noqa: F401  (created by the benchmark before start)

app = Flask(__name__)
_secret = os.environ["SHOPIFY_API_SECRET"].encode()
_dsn = os.environ["DATABASE_URL"]
_redis = Redis.from_url(os.environ["REDIS_URL"])
_conn: psycopg.Connection | None = None  # one per (sync) gunicorn worker process


def connection() -> psycopg.Connection:
    global _conn
    if _conn is None or _conn.closed:
        _conn = psycopg.connect(_dsn, autocommit=True)
    return _conn


@app.post("/webhooks/<path:topic>")
def receive(topic: str) -> Response:
    raw = request.get_data()
    digest = base64.b64encode(hmac.new(_secret, raw, hashlib.sha256).digest()).decode()
    if not hmac.compare_digest(digest, request.headers.get("X-Shopify-Hmac-Sha256", "")):
        return Response("unauthorized", status=401)
    row = (
        connection()
        .execute(
            "INSERT INTO floor_events (webhook_id, topic, body) VALUES (%s, %s, %s) ON CONFLICT DO "
            "NOTHING RETURNING id",
            (request.headers.get("X-Shopify-Webhook-Id"), topic, raw.decode()),
        )
        .fetchone()
    )
    if row is not None:
        _redis.lpush("floor:queue", row[0])
    return Response('{"status":"accepted"}', mimetype="application/json")
