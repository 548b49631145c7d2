"""App Home requests: session tokens, the patch-id-token page, CSP, token exchange, dev entry."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from plugin.admin.install import region_for_domain
from plugin.extensions import db
from plugin.shops.registry import find_shop
from tests import signing
from tests.conftest import SHOP_DOMAINS, base_config

PAGES = [
    "/admin/",
    "/admin/members",
    "/admin/settings",
    "/admin/rewards",
    "/admin/campaigns",
    "/admin/trade-ins",
    "/admin/returns",
    "/admin/ctrl-f",
    "/admin/data",
    "/admin/audit",
    "/admin/staff",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_carries_the_csp_of_the_verified_shop(
    shops: Any, admin_get: Any, path: str
) -> None:
    response = admin_get(path, shop="eu")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert response.headers["Content-Security-Policy"] == (
        "frame-ancestors https://tesmart-eu.myshopify.com https://admin.shopify.com;"
    )
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_data(as_text=True)
    assert (
        'src="https://cdn.shopify.com/shopifycloud/app-bridge.js" data-api-key="test-client-id"'
        in body
    )
    assert "https://cdn.shopify.com/shopifycloud/polaris.js" in body
    assert "<s-page" in body and "<table" in body or "<form" in body


def test_a_document_load_without_a_token_goes_to_the_patch_id_token_page(
    shops: Any, client: Any
) -> None:
    response = client.get("/admin/members?shop=tesmart-us.myshopify.com&host=abc")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/admin/auth/patch-id-token"
    query = parse_qs(location.query)
    assert query["shopify-reload"] == ["/admin/members?shop=tesmart-us.myshopify.com&host=abc"]


def test_the_patch_id_token_page_loads_app_bridge_with_the_shops_csp(client: Any) -> None:
    response = client.get(
        "/admin/auth/patch-id-token?shop=tesmart-us.myshopify.com&shopify-reload=%2Fadmin%2F"
    )
    assert response.status_code == 200
    assert 'data-api-key="test-client-id"' in response.get_data(as_text=True)
    assert (
        "frame-ancestors https://tesmart-us.myshopify.com"
        in response.headers["Content-Security-Policy"]
    )


@pytest.mark.parametrize(
    "case, token",
    [
        (
            "wrong secret",
            lambda: signing.session_token(SHOP_DOMAINS["us"], secret="not-the-secret"),
        ),
        ("expired", lambda: signing.session_token(SHOP_DOMAINS["us"], expires_in=-120)),
        ("another app", lambda: signing.session_token(SHOP_DOMAINS["us"], api_key="another-app")),
        ("not a jwt", lambda: "garbage"),
    ],
)
def test_a_bad_token_sees_nothing(shops: Any, client: Any, case: str, token: Any) -> None:
    document = client.get(f"/admin/?shop=tesmart-us.myshopify.com&id_token={token()}")
    fetch = client.get("/admin/", headers={"Authorization": f"Bearer {token()}"})
    assert document.status_code in (302, 401)
    assert fetch.status_code == 401
    assert (
        fetch.headers.get("X-Shopify-Retry-Invalid-Session-Request") == "1" or case == "another app"
    )
    assert "Members" not in fetch.get_data(as_text=True)


def test_a_fetch_with_a_bearer_token_is_answered(shops: Any, admin_fetch: Any) -> None:
    response = admin_fetch("/admin/members", shop="us")
    assert response.status_code == 200
    assert (
        "frame-ancestors https://tesmart-us.myshopify.com"
        in response.headers["Content-Security-Policy"]
    )


def test_a_form_posted_with_a_stale_token_is_refused_without_a_change(
    shops: Any, admin_post: Any
) -> None:
    stale = signing.session_token(SHOP_DOMAINS["us"], expires_in=-120)
    response = admin_post(
        "/admin/settings",
        {"section": "program", "referral_monthly_cap": "5", "return_window_days": "30"},
        token=stale,
    )
    assert response.status_code == 401
    db.session.expire_all()
    assert "referral_monthly_cap" not in (find_shop(SHOP_DOMAINS["us"]).settings or {})


def test_first_open_exchanges_the_token_and_stores_it(shops: Any, admin_get: Any) -> None:
    assert shops["jp"].access_token_enc is None
    assert admin_get("/admin/", shop="jp").status_code == 200
    db.session.expire_all()
    shop = find_shop(SHOP_DOMAINS["jp"])
    assert shop.access_token_enc and shop.refresh_token_enc and shop.access_token_expires_at


def test_first_open_of_an_unknown_shop_creates_it_with_the_region_of_its_currency(
    app: Any, admin_get: Any, fake_admin: Any
) -> None:
    fake_admin.configure_shop(
        "tesmart-fr.myshopify.com", name="TESmart France", currency_code="EUR"
    )
    response = admin_get("/admin/", shop="tesmart-fr.myshopify.com")
    assert response.status_code == 200
    shop = find_shop("tesmart-fr.myshopify.com")
    assert (shop.region, shop.currency, shop.name) == ("eu", "EUR", "TESmart France")
    assert shop.access_token_enc is not None
    assert len(shop.settings or {}) == 0


def test_a_new_shop_takes_its_zone_from_shopify_and_its_region_default_until_then(
    app: Any, admin_get: Any, fake_admin: Any
) -> None:
    fake_admin.configure_shop(
        "tesmart-fr.myshopify.com",
        name="TESmart France",
        currency_code="EUR",
        iana_timezone="Europe/Paris",
    )
    assert admin_get("/admin/", shop="tesmart-fr.myshopify.com").status_code == 200
    assert find_shop("tesmart-fr.myshopify.com").timezone == "Europe/Paris"
    fake_admin.inject("http_500", times=10, operation="ShopGet")  # Shopify did not say
    assert admin_get("/admin/", shop="tesmart-jp.myshopify.com").status_code == 200
    assert find_shop("tesmart-jp.myshopify.com").timezone == "Asia/Tokyo"


@pytest.mark.parametrize(
    "domain, region",
    [
        ("tesmart-de.myshopify.com", "eu"),
        ("tesmart-eu.myshopify.com", "eu"),
        ("tesmart-jp.myshopify.com", "jp"),
        ("tesmart-kr.myshopify.com", "kr"),
        ("tesmart.myshopify.com", "us"),
        ("tesmart-uk.myshopify.com", "us"),
        ("kvm-depot.myshopify.com", "us"),
    ],
)
def test_the_region_falls_back_to_the_domain(domain: str, region: str) -> None:
    assert region_for_domain(domain) == region


def test_the_root_url_forwards_to_the_admin_with_its_query(client: Any) -> None:
    response = client.get("/?shop=tesmart-us.myshopify.com&id_token=abc&host=h")
    assert response.status_code == 302
    assert (
        response.headers["Location"] == "/admin/?shop=tesmart-us.myshopify.com&id_token=abc&host=h"
    )


def test_the_dev_entry_mints_a_token_the_admin_accepts(shops: Any, client: Any) -> None:
    entry = client.get("/dev/admin?shop=tesmart-kr.myshopify.com&user=7")
    assert entry.status_code == 302
    location = urlsplit(entry.headers["Location"])
    query = parse_qs(location.query)
    assert (
        location.path == "/admin/"
        and query["shop"] == ["tesmart-kr.myshopify.com"]
        and query["host"]
    )
    import jwt

    claims = jwt.decode(
        query["id_token"][0], signing.API_SECRET, algorithms=["HS256"], audience=signing.API_KEY
    )
    assert set(claims) == {"iss", "dest", "aud", "sub", "exp", "nbf", "iat", "jti", "sid"}
    assert claims["dest"] == "https://tesmart-kr.myshopify.com" and claims["sub"] == "7"
    assert client.get(f"{location.path}?{location.query}").status_code == 200


def test_the_dev_entry_passes_the_admin_language_on_as_shopify_does(
    shops: Any, client: Any
) -> None:
    entry = client.get("/dev/admin?shop=tesmart-eu.myshopify.com&locale=de")
    location = urlsplit(entry.headers["Location"])
    assert parse_qs(location.query)["locale"] == ["de"]
    page = client.get(f"{location.path}?{location.query}").get_data(as_text=True)
    assert '<html lang="de">' in page and "Mitglieder" in page


def test_in_dev_mode_the_patch_page_reloads_with_a_fresh_token(shops: Any, client: Any) -> None:
    client.get("/dev/admin?shop=tesmart-us.myshopify.com")
    first = client.get("/admin/members?shop=tesmart-us.myshopify.com")
    patched = client.get(first.headers["Location"])
    assert patched.status_code == 302
    target = urlsplit(patched.headers["Location"])
    assert target.path == "/admin/members" and "id_token" in parse_qs(target.query)
    assert client.get(patched.headers["Location"]).status_code == 200
    # Never a redirect off the app.
    evil = client.get(
        "/admin/auth/patch-id-token?shop=tesmart-us.myshopify.com&shopify-reload=https%3A%2F%2Fevil.example%2F"
    )
    assert evil.status_code == 200 and "evil" not in evil.headers.get("Location", "")


def test_the_dev_entry_does_not_exist_outside_dev_mode(database_url: str) -> None:
    from plugin import create_app

    config = {**base_config(database_url), "DEV_MODE": "", "FLASK_DEBUG": ""}
    production = create_app(config)
    client = production.test_client()
    assert client.get("/dev/admin?shop=tesmart-us.myshopify.com").status_code == 404
    assert client.get("/dev/admin/token").status_code == 404
    assert "admin_dev" not in production.blueprints
