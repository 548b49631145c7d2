"""The signed-cookie session is built only for requests that carry its cookie."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, request, session

from plugin.cookie_session import CookieOnDemandSessionInterface


@pytest.fixture()
def cookie_app() -> Flask:
    app = Flask("cookie_session_test")
    app.secret_key = "a-test-secret"
    app.session_interface = CookieOnDemandSessionInterface()

    @app.get("/write")
    def write() -> str:
        session["shop"] = "tesmart-us.myshopify.com"
        return "written"

    @app.get("/read")
    def read() -> str:
        return str(session.get("shop", "none"))

    return app


def test_a_request_without_the_cookie_builds_no_serializer(
    cookie_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[Any] = []
    original = CookieOnDemandSessionInterface.get_signing_serializer

    def spy(self: Any, app: Flask) -> Any:
        built.append(app)
        return original(self, app)

    monkeypatch.setattr(CookieOnDemandSessionInterface, "get_signing_serializer", spy)
    client = cookie_app.test_client()
    assert client.get("/read", headers={"Cookie": "other=1"}).get_data(as_text=True) == "none"
    assert built == [], "no cookie, no serializer"
    assert client.get("/write").status_code == 200
    assert built, "a written session is signed as before"
    assert client.get("/read").get_data(as_text=True) == "tesmart-us.myshopify.com"


def test_a_forged_cookie_is_an_empty_session(cookie_app: Flask) -> None:
    client = cookie_app.test_client()
    client.set_cookie("session", "forged.value.signature")
    assert client.get("/read").get_data(as_text=True) == "none"


def test_without_a_secret_key_there_is_no_session(cookie_app: Flask) -> None:
    cookie_app.secret_key = None
    with cookie_app.test_request_context("/read"):
        assert cookie_app.session_interface.open_session(cookie_app, request) is None
