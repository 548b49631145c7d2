"""The referral links follow the merchant's app proxy path: Shopify signs the path a request came
through (``path_prefix``), and merchants may change the prefix and subpath from /apps/tesmart."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import pytest

from tests import signing
from tests.conftest import SHOP_DOMAINS


def through(client: Any, path: str, prefix: str, customer: str | None = None) -> Any:
    query = signing.proxy_query(SHOP_DOMAINS["us"], customer, extra={"path_prefix": prefix})
    return client.get(f"/proxy{path}?{query}")


@pytest.mark.parametrize("prefix", ["/a/members", "/community/tesmart-club"])
def test_referral_links_use_the_proxy_path_the_request_came_through(
    shops, make_member, client, prefix
) -> None:  # type: ignore[no-untyped-def]
    member, customer = make_member(shops["us"], "amy@example.com")
    page = through(client, "/referral", prefix, customer).get_json()
    assert page["url"] == f"https://tesmart-us.myshopify.com{prefix}/r/{page['code']}"
    status = through(client, "/member", prefix, customer).get_json()
    assert status["referral"]["url"] == page["url"]
    visit = through(
        client, f"/r/{page['code']}", prefix
    )  # anonymous: the landing, whose links come back
    assert unquote(visit.headers["Location"].split("tesmart_referral=", 1)[1]) == page["code"]


def test_a_path_prefix_that_is_no_proxy_path_falls_back_to_the_default(
    shops, make_member, client
) -> None:  # type: ignore[no-untyped-def]
    member, customer = make_member(shops["us"], "amy@example.com")
    page = through(client, "/referral", "//evil.example/x", customer).get_json()
    assert page["url"].startswith("https://tesmart-us.myshopify.com/apps/tesmart/r/")
