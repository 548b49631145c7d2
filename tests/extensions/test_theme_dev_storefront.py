"""The dev storefront: same markup as the Liquid blocks, and an app proxy stand-in signed like
Shopify.

Built on a bare Flask app with only the dev blueprint and a fake ``/proxy`` that verifies the
signature with ``shopify_app`` and echoes what it was given, so nothing else of the app is needed.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, jsonify, request
from flask.testing import FlaskClient
from shopify_app import verify_app_proxy_req

from plugin.devtools import COOKIE, dev_storefront, sign_proxy_query
from plugin.devtools import shops as dev_shops
from plugin.devtools.theme_markup import BLOCK_GROUPS, EXTENSION_DIR, load_strings

SECRET = "dev-storefront-test-secret"
SHOPS: list[dev_shops.DevShop] = [
    {
        "domain": "tesmart-us.myshopify.com",
        "name": "tesmart.com",
        "region": "us",
        "currency": "USD",
        "locale": "en",
    },
    {
        "domain": "tesmart-de.myshopify.com",
        "name": "tesmart.de",
        "region": "eu",
        "currency": "EUR",
        "locale": "de",
    },
    {
        "domain": "tesmart-jp.myshopify.com",
        "name": "tesmart.jp",
        "region": "jp",
        "currency": "JPY",
        "locale": "ja",
    },
    {
        "domain": "tesmart-kr.myshopify.com",
        "name": "tesmart.co.kr",
        "region": "kr",
        "currency": "KRW",
        "locale": "ko",
    },
]
DE = "tesmart-de.myshopify.com"


def build_app(dev_mode: bool = True) -> Flask:
    app = Flask(__name__)
    app.config.update(DEV_MODE=dev_mode, SHOPIFY_API_SECRET=SECRET, TESTING=True)
    app.register_blueprint(dev_storefront)

    @app.route("/proxy/<path:rest>", methods=["GET", "POST"])
    def fake_proxy(rest: str) -> Any:
        verdict = verify_app_proxy_req(
            {
                "method": request.method,
                "headers": dict(request.headers),
                "url": request.url,
                "body": request.get_data(as_text=True),
            },
            {"client_id": "dev", "client_secret": SECRET, "old_client_secret": None},
        )
        if not verdict.ok:
            return jsonify(error={"code": "invalid_signature", "message": verdict.log.code}), 401
        response = jsonify(
            path=rest,
            method=request.method,
            shop=verdict.shop,
            customer=verdict.logged_in_customer_id,
            args=request.args.to_dict(flat=False),
            body=request.get_json(silent=True),
            cookie=request.headers.get("Cookie"),
            accept_language=request.headers.get("Accept-Language"),
        )
        response.headers["X-Proxy-Echo"] = "yes"
        response.set_cookie("inner", "must-not-leak")
        return response, (201 if request.method == "POST" else 200)

    return app


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> FlaskClient:
    monkeypatch.setattr(dev_shops, "list_dev_shops", lambda: [dict(s) for s in SHOPS])
    monkeypatch.setattr(
        dev_shops,
        "list_dev_customers",
        lambda domain, limit=50: [
            {"customer_id": "7012", "label": "Erika Muster · erika@example.de"}
        ],
    )
    return build_app().test_client()


class Containers(HTMLParser):
    """The widget containers of a page: their attributes, strings JSON and skeleton."""

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, dict[str, Any]] = {}
        self._current: dict[str, Any] | None = None
        self._depth = 0
        self._in_i18n = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if self._current is None:
            if tag == "div" and "data-tesmart" in attributes:
                self._current = {"attrs": attributes, "i18n": "", "skeleton": False}
                self.found[str(attributes["data-tesmart"])] = self._current
                self._depth = 1
            return
        if tag == "div":
            self._depth += 1
            if attributes.get("class") == "tesmart__skeleton":
                self._current["skeleton"] = True
        self._in_i18n = tag == "script" and attributes.get("class") == "tesmart__i18n"

    def handle_endtag(self, tag: str) -> None:
        if self._current is None:
            return
        if tag == "script":
            self._in_i18n = False
        if tag == "div":
            self._depth -= 1
            if self._depth == 0:
                self._current = None

    def handle_data(self, data: str) -> None:
        if self._current is not None and self._in_i18n:
            self._current["i18n"] += data


def containers(html: str) -> dict[str, dict[str, Any]]:
    parser = Containers()
    parser.feed(html)
    return parser.found


# --- what the Liquid renders, read from the extension's source ----------------------------------


def liquid_root() -> str:
    return (EXTENSION_DIR / "snippets" / "tesmart-root.liquid").read_text(encoding="utf-8")


def liquid_root_attribute_names() -> set[str]:
    opening = re.search(r"<div\s(.*?)>", liquid_root(), re.S)
    assert opening, "tesmart-root.liquid has no container <div>"
    return set(re.findall(r"([a-z][a-z0-9-]*)=\"", opening.group(1)))


def liquid_root_constant(name: str) -> str:
    match = re.search(rf'{name}="([^"{{]*)"', liquid_root())
    assert match, f"{name} is not a constant in tesmart-root.liquid"
    return match.group(1)


def liquid_snippet_keys(group: str) -> list[str]:
    source = (
        EXTENSION_DIR / "snippets" / f"tesmart-i18n-{group.replace('_', '-')}.liquid"
    ).read_text(encoding="utf-8")
    pairs = re.findall(
        r"\"([\w.]+)\":\s*\{\{\s*'tesmart\.([\w.]+)'\s*\|\s*t\s*\|\s*json\s*\}\}", source
    )
    for embedded, key in pairs:
        assert embedded == key, f"{group}: {embedded!r} embeds the string of {key!r}"
    return [embedded for embedded, _ in pairs]


def liquid_blocks() -> dict[str, dict[str, Any]]:
    blocks: dict[str, dict[str, Any]] = {}
    for path in sorted((EXTENSION_DIR / "blocks").glob("*.liquid")):
        source = path.read_text(encoding="utf-8")
        render = re.search(r"render 'tesmart-root',\s*kind: '([\w-]+)'(.*?)-?%\}", source, re.S)
        assert render, f"{path.name} does not render tesmart-root"
        schema = json.loads(
            re.search(r"\{% schema %\}(.*?)\{% endschema %\}", source, re.S).group(1)
        )
        position = re.search(r"position: '([\w-]+)'", render.group(2))
        if position is None:  # from a setting: its default is what a new install shows
            setting = next(s for s in schema["settings"] if s["id"] == "position")
            position_value = setting["default"]
        else:
            position_value = position.group(1)
        groups = [
            g.replace("-", "_") for g in re.findall(r"render 'tesmart-i18n-([\w-]+)'", source)
        ]
        blocks[render.group(1)] = {
            "file": path.stem,
            "schema": schema,
            "position": position_value,
            "groups": groups,
            "keys": [key for group in groups for key in liquid_snippet_keys(group)],
        }
    return blocks


# --- the page mirrors the Liquid ------------------------------------------------------------------


def test_python_mirror_embeds_the_same_string_groups_as_each_block() -> None:
    assert {kind: tuple(b["groups"]) for kind, b in liquid_blocks().items()} == BLOCK_GROUPS


def test_each_i18n_snippet_lists_exactly_its_locale_group() -> None:
    english = load_strings("en")
    for group, keys in english.items():
        assert liquid_snippet_keys(group) == [f"{group}.{key}" for key in keys], group


def test_the_app_proxy_path_is_an_app_embed_setting_not_a_constant() -> None:
    # Merchants can change the proxy's prefix and subpath: tesmart-root.liquid must not hard-code
    # it.
    assert "/apps/tesmart" not in liquid_root()
    assert 'data-proxy="{{ proxy | escape }}"' in liquid_root()
    launcher = (EXTENSION_DIR / "blocks" / "launcher.liquid").read_text(encoding="utf-8")
    schema = json.loads(launcher.split("{% schema %}")[1].split("{% endschema %}")[0])
    [setting] = [s for s in schema["settings"] if s["id"] == "proxy_path"]
    assert (setting["type"], setting["default"]) == ("text", "/apps/tesmart")
    assert "proxy: block.settings.proxy_path" in launcher
    for block in (EXTENSION_DIR / "blocks").glob("*.liquid"):
        if block.name != "launcher.liquid":
            assert "proxy:" not in block.read_text(encoding="utf-8"), block.name


@pytest.mark.parametrize("shop", [s["domain"] for s in SHOPS])
def test_dev_page_containers_match_the_liquid_blocks(client: FlaskClient, shop: str) -> None:
    page = containers(
        client.get(f"/dev/storefront?shop={shop}&customer=7012").get_data(as_text=True)
    )
    blocks = liquid_blocks()
    assert set(page) == set(blocks)
    names = liquid_root_attribute_names()
    locale = next(s["locale"] for s in SHOPS if s["domain"] == shop)
    for kind, block in blocks.items():
        rendered = page[kind]
        assert set(rendered["attrs"]) == names, kind
        # The embed's proxy path setting (default as Shopify's) reaches the page; blocks follow it.
        assert rendered["attrs"]["data-proxy"] == ("/apps/tesmart" if kind == "launcher" else "")
        assert rendered["attrs"]["class"] == f"tesmart tesmart--{kind}"
        assert rendered["attrs"]["data-position"] == block["position"]
        assert rendered["skeleton"] is (kind != "launcher")
        strings = json.loads(rendered["i18n"])
        assert list(strings) == block["keys"], kind
        translated = load_strings(locale)
        for key, text in strings.items():
            group, name = key.split(".", 1)
            assert text == translated[group][name]


def test_liquid_skips_the_skeleton_only_for_the_launcher() -> None:
    assert "{%- unless kind == 'launcher' -%}" in liquid_root()
    assert 'class="tesmart__skeleton"' in liquid_root()


def test_block_schemas_target_sections_and_the_launcher_the_body() -> None:
    for kind, block in liquid_blocks().items():
        assert block["file"] == kind
        schema = block["schema"]
        assert schema["target"] == ("body" if kind == "launcher" else "section")
        assert schema["javascript"] == "tesmart.js"
        assert schema["stylesheet"] == "tesmart.css"


def test_javascript_renders_every_section_block_kind() -> None:
    source = (EXTENSION_DIR / "assets" / "tesmart.js").read_text(encoding="utf-8")
    table = re.search(r"var TITLES = \{(.*?)\};", source, re.S)
    assert table
    kinds = set(re.findall(r"'?([\w-]+)'?:\s*'", table.group(1)))
    assert kinds | {"launcher"} == set(liquid_blocks())
    rendered = set(
        re.findall(
            r"'?([\w-]+)'?:\s*\w+", re.search(r"var RENDER = \{(.*?)\};", source, re.S).group(1)
        )
    )
    forms = (EXTENSION_DIR / "assets" / "tesmart-forms.js").read_text(encoding="utf-8")
    rendered |= set(re.findall(r"M\.define\('([\w-]+)'", forms))
    # parts of the member and devices widgets, not blocks
    assert rendered - {"pitch", "birthday", "tier", "claim"} == kinds


# --- the page itself ------------------------------------------------------------------------------


def test_page_uses_the_shops_locale_currency_and_customer(client: FlaskClient) -> None:
    response = client.get(f"/dev/storefront?shop={DE}&customer=7012")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    rewards = containers(response.get_data(as_text=True))["rewards"]
    assert rewards["attrs"]["data-locale"] == "de"
    assert rewards["attrs"]["data-currency"] == "EUR"
    assert rewards["attrs"]["data-customer"] == "true"
    assert json.loads(rewards["i18n"])["rewards.title"] == "Prämien"
    anonymous = client.get(f"/dev/storefront?shop={DE}&customer=")
    assert (
        containers(anonymous.get_data(as_text=True))["rewards"]["attrs"]["data-customer"] == "false"
    )


def test_the_page_can_leave_out_blocks_and_the_launcher_for_the_performance_comparison(
    client: FlaskClient,
) -> None:
    bare = client.get(f"/dev/storefront?shop={DE}&customer=7012&blocks=none&embed=0").get_data(
        as_text=True
    )
    assert "data-tesmart=" not in bare and "tesmart.js" not in bare and "tesmart.css" not in bare
    some = client.get(
        f"/dev/storefront?shop={DE}&customer=7012&blocks=member-status,rewards"
    ).get_data(as_text=True)
    assert re.findall(r'data-tesmart="([\w-]+)"', some) == ["member-status", "rewards", "launcher"]
    assert "tesmart.js" in some and "tesmart.css" in some
    everything = client.get(f"/dev/storefront?shop={DE}&customer=7012").get_data(as_text=True)
    assert len(re.findall(r'data-tesmart="', everything)) == 8  # seven blocks and the launcher


def test_page_has_store_and_customer_switchers_and_links_the_assets(client: FlaskClient) -> None:
    html = client.get(f"/dev/storefront?shop={DE}").get_data(as_text=True)
    for shop in SHOPS:
        assert f"shop={shop['domain']}" in html
    assert 'aria-current="true">tesmart.de' in html
    assert 'id="tesmart-dev-customer"' in html and 'name="customer"' in html
    assert '<option value="7012">Erika Muster · erika@example.de</option>' in html
    assert 'href="/dev/assets/tesmart.css"' in html
    assert 'src="/dev/assets/tesmart.js" defer' in html


def test_first_visit_defaults_to_the_first_shop_and_remembers_the_choice(
    client: FlaskClient,
) -> None:
    first = client.get("/dev/storefront")
    assert containers(first.get_data(as_text=True))["devices"]["attrs"]["data-currency"] == "USD"
    client.get(f"/dev/storefront?shop={DE}&customer=7012")
    again = client.get("/dev/storefront")
    assert containers(again.get_data(as_text=True))["devices"]["attrs"]["data-customer"] == "true"
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"


@pytest.mark.parametrize(
    ("query", "status", "hint"),
    [
        ("shop=nope.myshopify.com", 404, "There is no shop"),
        (f"shop={DE}&customer=abc", 400, "customer id is a number"),
    ],
)
def test_bad_choices_are_explained(client: FlaskClient, query: str, status: int, hint: str) -> None:
    response = client.get(f"/dev/storefront?{query}")
    assert response.status_code == status
    assert hint in response.get_data(as_text=True)
    assert client.get_cookie(COOKIE) is None


def test_page_without_shops_says_how_to_get_some(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dev_shops, "list_dev_shops", lambda: [])
    html = build_app().test_client().get("/dev/storefront").get_data(as_text=True)
    assert "No shops yet" in html
    assert "data-tesmart" not in html


def test_assets_are_served_from_the_extension(client: FlaskClient) -> None:
    for name in ("tesmart.js", "tesmart.css"):
        response = client.get(f"/dev/assets/{name}")
        assert response.status_code == 200
        assert response.data == (EXTENSION_DIR / "assets" / name).read_bytes()
    assert client.get("/dev/assets/../blocks/rewards.liquid").status_code == 404
    assert client.get("/dev/assets/missing.js").status_code == 404


def test_everything_is_hidden_without_dev_mode() -> None:
    client = build_app(dev_mode=False).test_client()
    assert client.get("/dev/storefront").status_code == 404
    assert client.get("/dev/assets/tesmart.js").status_code == 404
    assert client.get("/apps/tesmart/member").status_code == 404


def test_the_shop_list_degrades_to_empty_without_an_app_context() -> None:
    assert dev_shops.list_dev_shops() == []
    assert dev_shops.list_dev_customers(DE) == []


# --- the app proxy stand-in -----------------------------------------------------------------------


def test_proxy_signs_like_shopify_and_dispatches_to_proxy(client: FlaskClient) -> None:
    client.get(f"/dev/storefront?shop={DE}&customer=7012")
    response = client.get("/apps/tesmart/member", headers={"Accept-Language": "de-DE"})
    assert response.status_code == 200
    echo = response.get_json()
    assert echo["path"] == "member"
    assert echo["shop"] == "tesmart-de"  # shopify_app drops .myshopify.com
    assert echo["customer"] == "7012"
    assert echo["args"]["path_prefix"] == ["/apps/tesmart"]
    assert echo["args"]["shop"] == [DE]
    assert echo["accept_language"] == "de-DE"


def test_browser_cannot_choose_shop_or_customer(client: FlaskClient) -> None:
    client.get(f"/dev/storefront?shop={DE}&customer=7012")
    forged = (
        "/apps/tesmart/member?logged_in_customer_id=999&shop=evil.myshopify.com"
        "&path_prefix=/elsewhere&timestamp=1&signature=00&page=2"
    )
    echo = client.get(forged).get_json()
    assert echo["customer"] == "7012"
    assert echo["shop"] == "tesmart-de"
    assert echo["args"]["logged_in_customer_id"] == ["7012"]
    assert echo["args"]["signature"] != ["00"] and len(echo["args"]["signature"]) == 1
    assert echo["args"]["page"] == ["2"]


def test_logged_out_visitor_gets_an_empty_customer_id(client: FlaskClient) -> None:
    client.get(f"/dev/storefront?shop={DE}&customer=")
    echo = client.get("/apps/tesmart/rewards").get_json()
    assert echo["args"]["logged_in_customer_id"] == [""]
    assert not echo["customer"]


def test_repeated_keys_are_signed_joined_by_commas(client: FlaskClient) -> None:
    client.get(f"/dev/storefront?shop={DE}&customer=7012")
    echo = client.get("/apps/tesmart/devices?tag=a&tag=b").get_json()
    assert echo["args"]["tag"] == ["a", "b"]


def test_post_body_status_and_headers_pass_through_without_cookies(client: FlaskClient) -> None:
    client.get(f"/dev/storefront?shop={DE}&customer=7012")
    response = client.post("/apps/tesmart/redemptions", json={"reward_id": 2})
    assert response.status_code == 201
    assert response.get_json()["body"] == {"reward_id": 2}
    assert response.get_json()["path"] == "redemptions"
    assert response.headers["X-Proxy-Echo"] == "yes"
    assert "Set-Cookie" not in response.headers  # Shopify strips the app's cookies
    assert response.get_json()["cookie"] is None  # and does not forward the storefront's


def test_inner_errors_come_back_unchanged(client: FlaskClient) -> None:
    client.get(f"/dev/storefront?shop={DE}&customer=7012")
    response = client.get("/apps/tesmart")  # no /proxy route for the bare prefix in the fake app
    assert response.status_code == 404


def test_proxy_without_the_dev_session_is_a_json_error(client: FlaskClient) -> None:
    response = client.get("/apps/tesmart/member")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "dev_session_missing"
    client.set_cookie(COOKIE, "forged-value")
    assert client.get("/apps/tesmart/member").status_code == 400


def test_signature_matches_shopifys_documented_example() -> None:
    # Shopify's "Authenticate app proxies" page: shared secret "hush", these parameters.
    pairs = [
        ("extra", "1"),
        ("extra", "2"),
        ("shop", "shop-name.myshopify.com"),
        ("logged_in_customer_id", "1"),
        ("path_prefix", "/apps/awesome_reviews"),
        ("timestamp", "1317327555"),
    ]
    assert sign_proxy_query(pairs, "hush").startswith("4c68c8624d737112c91818c11017d24d334b")


def test_extension_folder_is_where_the_mirror_reads() -> None:
    assert (EXTENSION_DIR / "shopify.extension.toml").is_file()
    assert Path(__file__).resolve().parents[2] / "extensions" / "tesmart-theme" == EXTENSION_DIR
