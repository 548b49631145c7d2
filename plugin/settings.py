"""Typed settings from the environment, validated at start-up (a missing secret fails fast)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

from plugin.proxies import parse_networks
from plugin.shopify import API_VERSION

# Used only in dev mode, where the app talks to the in-process fake Admin API.
DEV_DEFAULTS = {
    "SHOPIFY_API_KEY": "dev-client-id",
    "SHOPIFY_API_SECRET": "dev-client-secret",
    "APP_URL": "http://127.0.0.1:8000",
    "TOKEN_ENCRYPTION_KEY": "dev-token-encryption-key-not-for-production",
}
REQUIRED = ("SHOPIFY_API_KEY", "SHOPIFY_API_SECRET", "APP_URL", "TOKEN_ENCRYPTION_KEY")


class SettingsError(ValueError):
    """A setting is missing or malformed; the message is one line for the operator."""


@dataclass(frozen=True)
class Settings:
    SHOPIFY_API_KEY: str
    SHOPIFY_API_SECRET: str
    SHOPIFY_OLD_API_SECRET: str | None
    APP_URL: str
    DATABASE_URL: str
    REDIS_URL: str | None
    SHOPIFY_ADMIN_API: Literal["live", "fake"]
    FAKE_ADMIN_URL: str | None
    TOKEN_ENCRYPTION_KEY: str
    PORT: int
    DEV_MODE: bool
    API_VERSION: str = API_VERSION
    MAX_WEBHOOK_BYTES: int = 1_000_000
    # Addresses or networks of the TLS-terminating proxies whose X-Forwarded-* headers are
    # believed (plugin.proxies); empty: nobody's.
    TRUSTED_PROXIES: str = ""
    UPLOAD_STORAGE: str | None = None  # None: instance/uploads; s3://bucket/prefix: an object store
    UPLOAD_MAX_BYTES: int = 10 * 1024 * 1024
    # Transactional emails: smtp:// (STARTTLS with ?starttls=true) or smtps://; unset in dev mode
    # means the local mailbox at /dev/mail, unset in production means no emails are sent.
    SMTP_URL: str | None = None
    # Raw webhook bodies are kept as long as processing and Shopify's retries need them, then
    # emptied by the periodic sweep (issue 15): days.
    WEBHOOK_BODY_RETENTION_DAYS: int = 7

    @classmethod
    def load(
        cls, environ: Mapping[str, Any], instance_path: str, *, testing: bool = False
    ) -> Settings:
        """``testing`` (only ever from the test suite's own config, never the environment) lets
        the suite run dev mode with its own secret and database."""
        env = {k: v for k, v in environ.items() if v not in (None, "")}
        dev = _truthy(env.get("DEV_MODE", env.get("FLASK_DEBUG", "")))
        if "APP_URL" not in env and env.get("HOST"):  # what `shopify app dev` provides
            env["APP_URL"] = env["HOST"]
        if dev:
            env = {**DEV_DEFAULTS, **env}
        missing = [name for name in REQUIRED if not env.get(name)]
        if missing:
            raise SettingsError(
                f"{', '.join(missing)} not set: export {'/'.join(missing)} "
                "(or set FLASK_DEBUG=1 for dev mode with local defaults)"
            )
        given_api = str(env.get("SHOPIFY_ADMIN_API", "fake" if dev else "live"))
        if given_api not in ("live", "fake"):
            raise SettingsError(f"SHOPIFY_ADMIN_API must be 'live' or 'fake', not {given_api!r}")
        admin_api: Literal["live", "fake"] = "live" if given_api == "live" else "fake"
        app_url = str(env["APP_URL"]).rstrip("/")
        if urlparse(app_url).scheme not in ("http", "https"):
            raise SettingsError(f"APP_URL must be an http(s) URL, not {app_url!r}")
        try:
            port = int(env.get("PORT", 8000))
        except ValueError as exc:
            raise SettingsError(f"PORT must be a number, not {env.get('PORT')!r}") from exc
        trusted_proxies = str(env.get("TRUSTED_PROXIES", "")).strip()
        try:
            parse_networks(trusted_proxies)
        except ValueError as exc:
            raise SettingsError(
                f"TRUSTED_PROXIES must be comma-separated IP addresses or networks: {exc}"
            ) from exc
        try:
            upload_max = int(env.get("UPLOAD_MAX_BYTES", 10 * 1024 * 1024))
        except ValueError as exc:
            raise SettingsError(
                f"UPLOAD_MAX_BYTES must be a number, not {env.get('UPLOAD_MAX_BYTES')!r}"
            ) from exc
        upload_storage = env.get("UPLOAD_STORAGE")
        if upload_storage and not str(upload_storage).startswith(("s3://", "file://")):
            raise SettingsError(
                "UPLOAD_STORAGE must be s3://bucket[/prefix] or file:///path, not "
                f"{upload_storage!r}"
            )
        try:
            retention = int(env.get("WEBHOOK_BODY_RETENTION_DAYS", 7))
        except ValueError as exc:
            raise SettingsError("WEBHOOK_BODY_RETENTION_DAYS must be a number of days") from exc
        if not 1 <= retention <= 90:
            raise SettingsError("WEBHOOK_BODY_RETENTION_DAYS must be between 1 and 90")
        database_url = str(
            env.get("DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'tesmart.sqlite3'}"
        )
        # Heroku-style URLs and the psycopg 3 driver name.
        if database_url.startswith("postgres://"):
            database_url = "postgresql://" + database_url[len("postgres://") :]
        if database_url.startswith("postgresql://"):
            database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]
        smtp_url = env.get("SMTP_URL")
        if smtp_url and urlparse(str(smtp_url)).scheme not in ("smtp", "smtps"):
            raise SettingsError("SMTP_URL must be an smtp:// or smtps:// URL")
        if dev and not testing:
            _refuse_dev_mode_in_production(env, admin_api, database_url)
        elif not dev:
            _refuse_dev_settings_in_production(env, app_url)
        return cls(
            SHOPIFY_API_KEY=str(env["SHOPIFY_API_KEY"]),
            SHOPIFY_API_SECRET=str(env["SHOPIFY_API_SECRET"]),
            SHOPIFY_OLD_API_SECRET=env.get("SHOPIFY_OLD_API_SECRET"),
            APP_URL=app_url,
            DATABASE_URL=database_url,
            REDIS_URL=env.get("REDIS_URL"),
            SHOPIFY_ADMIN_API=admin_api,
            FAKE_ADMIN_URL=env.get("FAKE_ADMIN_URL"),
            TOKEN_ENCRYPTION_KEY=str(env["TOKEN_ENCRYPTION_KEY"]),
            PORT=port,
            DEV_MODE=dev,
            TRUSTED_PROXIES=trusted_proxies,
            UPLOAD_STORAGE=upload_storage,
            UPLOAD_MAX_BYTES=upload_max,
            SMTP_URL=str(smtp_url) if smtp_url else None,
            WEBHOOK_BODY_RETENTION_DAYS=retention,
        )

    def as_config(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


MIN_SECRET_LENGTH = 32  # Shopify's client secrets are 32 hex digits (plus a prefix on new apps)


def _refuse_dev_mode_in_production(
    env: Mapping[str, Any], admin_api: str, database_url: str
) -> None:
    """Dev mode mints admin session tokens and signs storefront calls as anyone (/dev/...): it
    must never run with what only a real deployment has (issue 15)."""
    if admin_api == "live":
        raise SettingsError(
            "dev mode (FLASK_DEBUG/DEV_MODE) refuses SHOPIFY_ADMIN_API=live: unset FLASK_DEBUG and "
            "DEV_MODE"
        )
    if env.get("SHOPIFY_API_SECRET") != DEV_DEFAULTS["SHOPIFY_API_SECRET"]:
        raise SettingsError(
            "dev mode (FLASK_DEBUG/DEV_MODE) refuses a real SHOPIFY_API_SECRET: unset FLASK_DEBUG "
            "and DEV_MODE"
        )
    if database_url.startswith("postgresql"):
        raise SettingsError(
            "dev mode (FLASK_DEBUG/DEV_MODE) refuses a PostgreSQL DATABASE_URL: unset FLASK_DEBUG "
            "and DEV_MODE"
        )


def _refuse_dev_settings_in_production(env: Mapping[str, Any], app_url: str) -> None:
    for name in ("SHOPIFY_API_SECRET", "TOKEN_ENCRYPTION_KEY"):
        value = str(env.get(name, ""))
        if value == DEV_DEFAULTS[name]:
            raise SettingsError(f"{name} is the published dev default: set the real one")
        if len(value) < MIN_SECRET_LENGTH:
            raise SettingsError(
                f"{name} is too short to be real (at least {MIN_SECRET_LENGTH} characters)"
            )
    if urlparse(app_url).scheme != "https":
        raise SettingsError(f"APP_URL must be https outside dev mode, not {app_url!r}")


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def environment() -> dict[str, str]:
    return dict(os.environ)
