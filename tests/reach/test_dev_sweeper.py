"""`make run` sweeps in its web process, so what is due later (the coalesced metafield writes, the
retries) reaches the in-process fake the dev pages show; never under tests, Redis or a real shop."""

from __future__ import annotations

import threading
import time
from typing import Any

from flask import Flask

from plugin.devtools import sweeper


def _app(**config: Any) -> Flask:
    app = Flask("t")
    app.config.update(
        {"DEV_MODE": True, "TESTING": False, "REDIS_URL": "", "SHOPIFY_ADMIN_API": "fake", **config}
    )
    return app


def test_only_the_dev_server_with_in_process_jobs_and_the_fake_sweeps() -> None:
    assert sweeper.wanted(_app())
    assert not sweeper.wanted(_app(TESTING=True))
    assert not sweeper.wanted(_app(REDIS_URL="redis://127.0.0.1:6379/0"))
    assert not sweeper.wanted(_app(SHOPIFY_ADMIN_API="https://example.myshopify.com"))
    assert not sweeper.wanted(_app(DEV_MODE=False))
    assert sweeper.start(_app(TESTING=True)) is None


def test_the_loop_sweeps_until_stopped(app: Flask, monkeypatch: Any) -> None:
    calls: list[int] = []
    monkeypatch.setattr(sweeper, "EVERY_SECONDS", 0.01)
    monkeypatch.setattr("plugin.jobs.sweep", lambda: calls.append(1) or {})
    stop = threading.Event()
    thread = threading.Thread(target=sweeper._loop, args=(app, stop), daemon=True)
    thread.start()
    deadline = time.monotonic() + 5
    while len(calls) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    thread.join(2)
    assert len(calls) >= 3 and not thread.is_alive()
