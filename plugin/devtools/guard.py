"""What every dev-mode blueprint shares: each route answers 404 unless the app runs in dev mode
(``create_app`` registers them only then; this holds if one is registered by mistake)."""

from __future__ import annotations

from flask import abort, current_app


def dev_mode_only() -> None:
    """A ``before_request`` of the dev blueprints."""
    if not current_app.config.get("DEV_MODE"):
        abort(404)
