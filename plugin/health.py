"""GET /healthz: is the database reachable, is the queue reachable."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from plugin.extensions import db
from plugin.jobs.queue import job_queue

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except SQLAlchemyError:
        db.session.rollback()
        database = "error"
    queue = job_queue().status()
    ok = database == "ok" and queue != "error"
    body = {"status": "ok" if ok else "degraded", "database": database, "queue": queue}
    return jsonify(body), 200 if ok else 503
