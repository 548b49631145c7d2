"""Behind a TLS-terminating proxy the app's absolute URLs say https, trusting the forwarded headers
of configured proxies only (issue 14, "Tokens and installs")."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from plugin import create_app
from plugin.settings import SettingsError
from tests.conftest import base_config

ROOT = Path(__file__).resolve().parents[2]
FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "members.tesmart.com"}
# A document load without a session token: shopifyapp answers with an absolute URL of the
# patch-id-token page built from the request's own scheme and host.
BOUNCE = "/admin/members?shop=tesmart-us.myshopify.com&host=abc"


def bounce_from(app: Any, peer: str) -> str:
    response = app.test_client().get(BOUNCE, headers=FORWARDED, environ_base={"REMOTE_ADDR": peer})
    assert response.status_code == 302
    return response.headers["Location"]


@pytest.fixture()
def proxied_app(database_url: str) -> Any:
    return create_app({**base_config(database_url), "TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.7"})


@pytest.mark.parametrize("peer", ["10.1.2.3", "192.0.2.7"])
def test_the_session_token_bounce_is_https_behind_a_trusted_proxy(
    proxied_app: Any, peer: str
) -> None:
    location = urlsplit(bounce_from(proxied_app, peer))
    assert (location.scheme, location.netloc, location.path) == (
        "https",
        "members.tesmart.com",
        "/admin/auth/patch-id-token",
    )


def test_forwarded_headers_from_anyone_else_are_ignored(proxied_app: Any) -> None:
    location = urlsplit(bounce_from(proxied_app, "203.0.113.9"))
    assert (location.scheme, location.netloc) == ("http", "localhost")


def test_without_configured_proxies_nobody_is_trusted(database_url: str) -> None:
    app = create_app(base_config(database_url))
    assert urlsplit(bounce_from(app, "127.0.0.1")).scheme == "http"


def test_a_malformed_proxy_list_fails_at_start_up(database_url: str) -> None:
    with pytest.raises(SettingsError, match="TRUSTED_PROXIES"):
        create_app({**base_config(database_url), "TRUSTED_PROXIES": "10.0.0.0/8, proxy.internal"})


@pytest.mark.parametrize(
    "value, expected", [("", ""), ("10.0.0.0/8,192.0.2.7", "10.0.0.0/8,192.0.2.7")]
)
def test_gunicorn_trusts_the_same_proxies(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: str
) -> None:
    monkeypatch.setenv("TRUSTED_PROXIES", value)
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["forwarded_allow_ips"] == expected
