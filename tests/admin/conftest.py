"""Admin fixtures: requests carrying a session token as Shopify's admin sends them."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient

from tests import signing
from tests.browser import block_off_loopback
from tests.conftest import SHOP_DOMAINS


def _domain(shop: str) -> str:
    return SHOP_DOMAINS.get(shop, shop)


@pytest.fixture()
def admin_get(client: FlaskClient) -> Callable[..., Any]:
    """A document load: ``admin_get("/admin/members", shop="us", user="42", q="jane")``."""

    def send(
        path: str, shop: str = "us", user: str = "42", *, token: str | None = None, **params: Any
    ) -> Any:
        domain = _domain(shop)
        query = {"shop": domain, "host": "aG9zdA", **params}
        query["id_token"] = token if token is not None else signing.session_token(domain, sub=user)
        return client.get(f"{path}?{urlencode(query)}")

    return send


@pytest.fixture()
def admin_post(client: FlaskClient) -> Callable[..., Any]:
    """A form post with the session token in its hidden field."""

    def send(
        path: str,
        data: dict[str, Any] | None = None,
        shop: str = "us",
        user: str = "42",
        *,
        token: str | None = None,
        query: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> Any:
        domain = _domain(shop)
        form = dict(data or {})
        form["id_token"] = token if token is not None else signing.session_token(domain, sub=user)
        suffix = f"?{urlencode(query)}" if query else ""
        return client.post(f"{path}{suffix}", data=form, **kwargs)

    return send


@pytest.fixture()
def admin_fetch(client: FlaskClient) -> Callable[..., Any]:
    """A fetch from the embedded page: the token in ``Authorization: Bearer``."""

    def send(path: str, shop: str = "us", user: str = "42") -> Any:
        token = signing.session_token(_domain(shop), sub=user)
        return client.get(path, headers={"Authorization": f"Bearer {token}"})

    return send


# --- the admin in headless Chromium (browser tests) ---------------------------------------------


@pytest.fixture()
def server(app: Any) -> Iterator[str]:
    from werkzeug.serving import make_server

    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(timeout=5)


@pytest.fixture()
def browser_page(chromium: Any) -> Iterator[tuple[Any, list[str]]]:
    """A page of its own context in the worker's Chromium, every request off loopback aborted."""
    context = chromium.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    blocked = block_off_loopback(context)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield page, blocked
    finally:
        context.close()
