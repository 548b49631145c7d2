"""TESmart Members: the Flask app factory. It wires; it does not migrate, seed or call out."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.routing import IntegerConverter, Map

from plugin import connections  # noqa: F401  (the pool's dead-connection check)
from plugin.cookie_session import CookieOnDemandSessionInterface
from plugin.database.cursors import DescribedOnceCursor
from plugin.extensions import db, migrate
from plugin.models.types import MAX_ID
from plugin.settings import Settings, SettingsError

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


# The imports inside create_app and below are local on purpose: `import plugin` (the parent of every
# module) stays light, and each piece loads once the settings that configure it are in.
def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.url_map.converters["int"] = DatabaseIdConverter
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    try:
        settings = Settings.load(
            {**os.environ, **(config or {})},
            app.instance_path,
            testing=bool((config or {}).get("TESTING")),
        )
    except SettingsError as exc:
        if config is None:  # started from the environment: one line, no traceback
            raise SystemExit(f"tesmart-members: {exc}") from None
        raise
    app.config.update(settings.as_config())
    app.config.update({k: v for k, v in (config or {}).items() if not hasattr(settings, k)})
    app.config["SQLALCHEMY_DATABASE_URI"] = settings.DATABASE_URL
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = _engine_options(settings.DATABASE_URL)
    app.config["MAX_CONTENT_LENGTH"] = settings.MAX_WEBHOOK_BYTES
    app.config["SECRET_KEY"] = settings.SHOPIFY_API_SECRET
    from plugin.json_input import SafeJSONProvider

    app.json = SafeJSONProvider(app)
    app.json.sort_keys = False
    from plugin import log_masking

    log_masking.install()
    app.session_interface = CookieOnDemandSessionInterface()
    if settings.TRUSTED_PROXIES:
        from plugin.proxies import TrustedProxyFix, parse_networks

        # Flask's documented way to add WSGI middleware; its stub types wsgi_app as a method.
        app.wsgi_app = TrustedProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, parse_networks(settings.TRUSTED_PROXIES)
        )

    from plugin import models  # noqa: F401  (registers the tables)

    db.init_app(app)
    from plugin.database.transaction import install as install_transaction_hooks

    install_transaction_hooks()
    migrate.init_app(app, db, directory=MIGRATIONS, render_as_batch=True)

    from plugin.jobs import init_jobs
    from plugin.reach import notifications
    from plugin.shopify_app import init_shopify

    init_jobs(app)
    notifications.listen()  # ledger entries and activated IDs tell the member's tools
    init_shopify(app)

    from plugin.storage import init_storage

    init_storage(app)
    from plugin.mail import init_mail

    init_mail(app)

    from plugin.errors import register_error_handlers

    register_error_handlers(app)
    _register_blueprints(app)

    from plugin.cli import register_cli

    register_cli(app)
    return app


class DatabaseIdConverter(IntegerConverter):
    """``<int:...>`` that stops at BIGINT: a larger id cannot exist, so the URL matches no route
    (a JSON 404) instead of reaching the database, which refuses to compare it (a 500)."""

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = MAX_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _register_blueprints(app: Flask) -> None:
    """The app's surfaces, in one list: a renamed or missing one fails here, at start."""
    from plugin.admin import bp as admin_bp
    from plugin.extension_api import bp as extension_api_bp
    from plugin.health import bp as health_bp
    from plugin.integrations import bp as integrations_bp
    from plugin.storefront import bp as storefront_bp
    from webhooks import bp as webhooks_bp

    for blueprint in (
        health_bp,
        webhooks_bp,
        storefront_bp,
        extension_api_bp,
        integrations_bp,
        admin_bp,
    ):
        app.register_blueprint(blueprint)
    if app.config["DEV_MODE"]:
        # Dev mode only: production code never imports the devtools.
        from plugin.devtools import admin as admin_dev
        from plugin.devtools import dev_storefront, fake_shopify, mail, sweeper
        from plugin.devtools.demo import mirror_to_fake

        for blueprint in (dev_storefront, admin_dev.bp, mail.bp, fake_shopify.bp, sweeper.bp):
            app.register_blueprint(blueprint)
        # The dev server's fake Admin API starts with the database's customers
        # (plugin.shopify.admin_api.fake_admin calls it).
        app.extensions["seed_fake_admin"] = mirror_to_fake
        # The patch-id-token page mints the local admin entry's token itself (no App Bridge here).
        app.extensions["reload_with_fresh_token"] = admin_dev.reload_with_fresh_token


def _engine_options(url: str) -> dict[str, Any]:
    # hide_parameters: an SQL error (in the logs, in webhook_events.error) names no bound values,
    # which are often emails and addresses.
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30}, "hide_parameters": True}
    # No pool_pre_ping: plugin.connections tells a dead connection from a live one at checkout
    # without the round trip pre-ping costs every request.
    # Each shape of result is described once (plugin/database/cursors.py).
    return {
        "pool_size": 10,
        "max_overflow": 20,
        "pool_recycle": 1800,
        "hide_parameters": True,
        "connect_args": {"cursor_factory": DescribedOnceCursor},
    }


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the web process read while a job writes; foreign keys are off by default in SQLite.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # Deleted and overwritten content is zeroed in the file, not left in free space: what a
        # redaction erases is gone from the bytes on disk too (issue 15).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()
