"""The app factory, its settings and /healthz."""

from __future__ import annotations

import pytest

from plugin import create_app
from plugin.settings import SettingsError
from tests.conftest import base_config


def test_factory_reads_typed_settings(database_url: str) -> None:
    app = create_app(base_config(database_url))
    assert app.config["SHOPIFY_ADMIN_API"] == "fake"
    assert app.config["API_VERSION"] == "2026-07"
    assert app.config["DEV_MODE"] is True
    assert app.config["MAX_CONTENT_LENGTH"] == 1_000_000


def test_missing_secret_outside_dev_mode_stops_start_up(database_url: str) -> None:
    config = {
        **base_config(database_url),
        "DEV_MODE": "0",
        "FLASK_DEBUG": "0",
        "SHOPIFY_API_SECRET": "",
    }
    with pytest.raises(SettingsError, match="SHOPIFY_API_SECRET"):
        create_app(config)


def test_missing_secret_from_the_environment_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "SHOPIFY_API_KEY",
        "SHOPIFY_API_SECRET",
        "APP_URL",
        "TOKEN_ENCRYPTION_KEY",
        "FLASK_DEBUG",
        "DEV_MODE",
    ):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SystemExit) as stopped:
        create_app()
    message = str(stopped.value)
    assert "\n" not in message and "SHOPIFY_API_SECRET" in message


def test_live_admin_api_is_the_default_outside_dev_mode(database_url: str) -> None:
    app = create_app({**base_config(database_url), "DEV_MODE": "0", "SHOPIFY_ADMIN_API": ""})
    assert app.config["SHOPIFY_ADMIN_API"] == "live"
    assert app.config["DEV_MODE"] is False


def test_bad_admin_api_setting_is_refused(database_url: str) -> None:
    with pytest.raises(SettingsError, match="SHOPIFY_ADMIN_API"):
        create_app({**base_config(database_url), "SHOPIFY_ADMIN_API": "sandbox"})


def test_postgres_urls_use_psycopg3(database_url: str) -> None:
    from plugin.settings import Settings

    settings = Settings.load(
        {**base_config(database_url), "DATABASE_URL": "postgres://u@h/db"}, ".", testing=True
    )
    assert settings.DATABASE_URL == "postgresql+psycopg://u@h/db"


def test_healthz_reports_database_and_queue(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["database"] == "ok"
    assert body["status"] == "ok"
    assert body["queue"] in ("in-process", "ok")


def test_unknown_api_path_is_a_json_404(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/proxy/nowhere")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
