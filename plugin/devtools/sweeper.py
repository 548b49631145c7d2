"""Dev mode's clock: the web process of `make run` sweeps every few seconds itself.

In production the Procfile's ``clock`` process runs the sweep (``flask clock``), which runs what is
due later: the customer metafield writes coalesced to the next minute, the retries, the periodic
program work. In dev mode the jobs run in-process and the fake Admin API lives in the web process's
memory, so a separate ``flask clock`` would write to a fake nobody sees. This thread starts with the
first request (so only in the process that serves, not in the reloader's watcher) and only with the
in-process queue (no REDIS_URL) and the fake Admin API, and never under tests.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Blueprint, Flask

log = logging.getLogger(__name__)
EVERY_SECONDS = 10.0

bp = Blueprint("dev_sweeper", __name__)


def wanted(app: Flask) -> bool:
    config = app.config
    return bool(
        config.get("DEV_MODE")
        and not config.get("TESTING")
        and not config.get("REDIS_URL")
        and config.get("SHOPIFY_ADMIN_API") == "fake"
    )


def _loop(app: Flask, stop: threading.Event) -> None:
    # local: dev-mode tooling, loaded when the dev sweeper starts
    from plugin.extensions import db
    from plugin.jobs import sweep

    while not stop.wait(EVERY_SECONDS):
        with app.app_context():
            try:
                sweep()
            except Exception:  # keep sweeping through a locked SQLite file or a failed effect
                log.exception("dev sweep failed")
            finally:
                db.session.remove()


def start(app: Flask) -> threading.Event | None:
    """Start the sweeping thread once per app; its stop event, or None when not wanted."""
    if not wanted(app):
        return None
    stop = app.extensions.get("dev_sweeper")
    if stop is None:
        stop = threading.Event()
        app.extensions["dev_sweeper"] = stop
        threading.Thread(target=_loop, args=(app, stop), name="dev-sweeper", daemon=True).start()
    return stop


@bp.record_once
def _install(state: Any) -> None:
    app = state.app
    if not wanted(app):
        return

    @app.before_request
    def _start_sweeping() -> None:
        start(app)
