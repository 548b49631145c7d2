"""Dev mode must never meet production (issue 15).

Dev mode serves /dev/admin (mints admin session tokens) and the local storefront (signs app-proxy
calls as any customer) with whatever secret it is given: with the real secret that is a skeleton
key. The app refuses to start in dev mode with anything only a real deployment has, and refuses
the published dev defaults and toy secrets outside dev mode.
"""

from __future__ import annotations

from typing import Any

import pytest

from plugin import create_app
from plugin.settings import DEV_DEFAULTS

REAL_SECRET = "shpss_" + "3f9a" * 8
REAL_KEY = "k" * 44
PRODUCTION = {
    "SHOPIFY_API_KEY": "a1b2c3d4e5f6",
    "SHOPIFY_API_SECRET": REAL_SECRET,
    "APP_URL": "https://members.tesmart.com",
    "TOKEN_ENCRYPTION_KEY": REAL_KEY,
    "SHOPIFY_ADMIN_API": "fake",
    "DATABASE_URL": "sqlite://",
    "DEV_MODE": "",
    "FLASK_DEBUG": "",
}


def start(monkeypatch: pytest.MonkeyPatch, **env: str) -> Any:
    """Start as an operator does: from the environment alone (the suite's own config not used)."""
    for name in (*PRODUCTION, "REDIS_URL", "SHOPIFY_OLD_API_SECRET", "FAKE_ADMIN_URL", "HOST"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {**PRODUCTION, **env}.items():
        monkeypatch.setenv(name, value)
    # A dev server sweeps every few seconds (tests/reach/test_dev_sweeper.py); this one is no
    # server, and a sweeping thread would outlive the test against its empty database.
    monkeypatch.setattr("plugin.devtools.sweeper.start", lambda app: None)
    return create_app()


@pytest.mark.parametrize(
    ("switch", "env", "named"),
    [
        ("FLASK_DEBUG", {"SHOPIFY_ADMIN_API": "live"}, "SHOPIFY_ADMIN_API"),
        ("FLASK_DEBUG", {}, "SHOPIFY_API_SECRET"),
        ("DEV_MODE", {}, "SHOPIFY_API_SECRET"),
        (
            "DEV_MODE",
            {"SHOPIFY_API_SECRET": "", "DATABASE_URL": "postgresql://app@db/tesmart"},
            "PostgreSQL",
        ),
    ],
)
def test_dev_mode_refuses_to_start_with_production_settings(
    monkeypatch, switch, env, named
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as stopped:
        start(monkeypatch, **{switch: "1", **env})
    assert named in str(stopped.value)


def test_dev_mode_with_its_own_defaults_still_starts(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    app = start(
        monkeypatch,
        DEV_MODE="yes",
        SHOPIFY_API_SECRET="",
        SHOPIFY_API_KEY="",
        TOKEN_ENCRYPTION_KEY="",
        APP_URL="",
    )
    assert app.config["DEV_MODE"] is True
    assert app.test_client().get("/dev/admin?shop=tesmart-us.myshopify.com").status_code != 404


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"SHOPIFY_API_SECRET": DEV_DEFAULTS["SHOPIFY_API_SECRET"]}, "SHOPIFY_API_SECRET"),
        ({"TOKEN_ENCRYPTION_KEY": DEV_DEFAULTS["TOKEN_ENCRYPTION_KEY"]}, "TOKEN_ENCRYPTION_KEY"),
        ({"SHOPIFY_API_SECRET": "hunter2"}, "SHOPIFY_API_SECRET"),
        ({"TOKEN_ENCRYPTION_KEY": "short"}, "TOKEN_ENCRYPTION_KEY"),
        ({"APP_URL": "http://members.tesmart.com"}, "https"),
    ],
)
def test_production_refuses_dev_defaults_toy_secrets_and_plain_http(
    monkeypatch, env, named
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as stopped:
        start(monkeypatch, **env)
    assert named in str(stopped.value)


def test_production_with_real_settings_starts_without_the_dev_entry(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    app = start(monkeypatch)
    assert app.config["DEV_MODE"] is False
    client = app.test_client()
    assert client.get("/dev/admin?shop=tesmart-us.myshopify.com").status_code == 404
    assert client.get("/apps/tesmart/member").status_code == 404
