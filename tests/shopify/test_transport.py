"""LoopbackTransport against the fake served on a real socket (as for gunicorn + rq workers)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest
from werkzeug.serving import make_server

from plugin.shopify.client import AdminClient, AdminUnavailable, CostBuckets
from plugin.shopify.fake import FakeAdminApi
from plugin.shopify.tokens import exchange_offline_token
from plugin.shopify.transport import FORWARDED_HOST, LoopbackTransport

from .conftest import SHOP
from .test_tokens import APP, session_token


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[FakeAdminApi, str]]:
    fake = FakeAdminApi()
    server = make_server("127.0.0.1", 0, fake, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield fake, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def served(server) -> tuple[FakeAdminApi, str]:
    fake, _ = server
    fake.reset()
    return server


@pytest.fixture
def loopback(served) -> Iterator[httpx.Client]:
    _, url = served
    with httpx.Client(transport=LoopbackTransport(url), timeout=5.0) as http:
        yield http


def test_admin_requests_reach_the_served_fake_and_keep_their_shop(served, loopback):
    fake, _ = served
    fake.configure_shop("tesmart-kr", currency_code="KRW")
    us = AdminClient(SHOP, "t", http_client=loopback, buckets=CostBuckets())
    kr = AdminClient("tesmart-kr.myshopify.com", "t", http_client=loopback, buckets=CostBuckets())
    assert us.execute("ShopGet")["shop"]["myshopifyDomain"] == SHOP
    assert kr.execute("ShopGet")["shop"]["currencyCode"] == "KRW"
    assert [call.shop for call in fake.calls] == [SHOP, "tesmart-kr.myshopify.com"]


def test_token_exchange_goes_through_it_too(served, loopback):
    fake, _ = served
    token = exchange_offline_token(APP, session_token(), loopback)
    assert fake.access_token_valid(SHOP, token.access_token)


def test_path_query_and_headers_are_kept_and_the_shop_host_forwarded(served, loopback):
    seen: dict[str, object] = {}

    def echo(request: httpx.Request) -> httpx.Response:
        seen.update(url=str(request.url), headers=dict(request.headers), body=request.read())
        return httpx.Response(200, json={"ok": True})

    with httpx.Client(
        transport=LoopbackTransport("http://127.0.0.1:9", inner=httpx.MockTransport(echo))
    ) as http:
        http.post(
            f"https://{SHOP}/admin/api/2026-07/graphql.json?x=1",
            headers={"X-Shopify-Access-Token": "t"},
            content=b"{}",
        )
    assert seen["url"] == "http://127.0.0.1:9/admin/api/2026-07/graphql.json?x=1"
    headers = seen["headers"]
    assert headers[FORWARDED_HOST.lower()] == SHOP
    assert headers["host"] == "127.0.0.1:9"
    assert headers["x-shopify-access-token"] == "t"
    assert seen["body"] == b"{}"


def test_other_hosts_are_not_forwarded(served):
    _, url = served
    with httpx.Client(transport=LoopbackTransport(url)) as http, pytest.raises(httpx.ConnectError):
        http.get("https://example.com/")


def test_a_served_timeout_is_seen_by_the_client_as_unavailable(served):
    fake, url = served
    fake.inject("timeout", seconds=0.5)
    with httpx.Client(transport=LoopbackTransport(url), timeout=0.1) as http:
        client = AdminClient(SHOP, "t", http_client=http, buckets=CostBuckets(), max_retries=0)
        with pytest.raises(AdminUnavailable, match="ReadTimeout"):
            client.execute("ShopGet")
