"""The launcher embed is on every page: it carries only its button's and frame's strings, and the
panels' strings come from GET /proxy/strings when it is first opened."""

from __future__ import annotations

import json
import re

import pytest

from plugin.devtools.theme_markup import render_container
from plugin.storefront.theme_strings import PANEL_GROUPS, load_strings
from tests import signing
from tests.conftest import SHOP_DOMAINS

SETTINGS = {"currency": "EUR", "logged_in": True, "login_url": "#login"}


def launcher_html(locale: str) -> str:
    return str(
        render_container(
            "launcher", block_id="b1", locale=locale, position="bottom-right", **SETTINGS
        )
    )


def inline_strings(html: str) -> dict[str, str]:
    return json.loads(re.search(r'class="tesmart__i18n">(.*?)</script>', html, re.S).group(1))


@pytest.mark.parametrize("locale", ["en", "de", "ja", "ko"])
def test_the_launcher_on_every_page_leaves_the_panels_strings_out(locale: str) -> None:
    html = launcher_html(locale)
    keys = set(inline_strings(html))
    assert {k.split(".")[0] for k in keys} == {"common", "launcher"}
    assert "launcher.open" in keys and "common.close" in keys
    panels = {f"{g}.{k}" for g in PANEL_GROUPS for k in load_strings(locale)[g]}
    assert not keys & panels
    now = len(html.encode())
    left_out = len(
        json.dumps(
            {k: load_strings(locale)[k.split(".")[0]][k.split(".", 1)[1]] for k in panels},
            ensure_ascii=False,
        ).encode()
    )
    print(
        f"{locale}: the launcher adds {now} B to every page; {left_out} B of panel strings wait "
        "for the first open"
    )
    assert now < 3500, now
    assert left_out > 8000, left_out


def signed(path: str, shop: str = "us", **extra: str) -> str:
    return f"/proxy{path}?" + signing.proxy_query(SHOP_DOMAINS[shop], None, extra=extra)


@pytest.mark.parametrize("locale", ["en", "de", "ja", "ko"])
def test_opening_the_launcher_fetches_the_panels_strings_in_the_store_language(
    shops, client, locale: str
) -> None:
    response = client.get(signed("/strings", locale=locale))
    assert response.status_code == 200
    body = response.get_json()
    strings = body["strings"]
    assert {k.split(".")[0] for k in strings} == set(PANEL_GROUPS)
    assert strings["member.title"] == load_strings(locale)["member"]["title"]
    assert "public" in response.headers["Cache-Control"]
    # Together with the inline ones, the launcher has every string it had before.
    assert set(strings) | set(inline_strings(launcher_html(locale))) == {
        f"{g}.{k}" for g, ks in load_strings(locale).items() for k in ks
    }


def test_a_regional_locale_falls_back_to_its_language(shops, client) -> None:
    strings = client.get(signed("/strings", locale="de-CH")).get_json()["strings"]
    assert strings["member.title"] == load_strings("de")["member"]["title"]


@pytest.mark.parametrize("bad", ["../../etc", "x" * 40, "d e"])
def test_a_malformed_locale_is_refused(shops, client, bad: str) -> None:
    response = client.get(signed("/strings", locale=bad))
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_locale"


def test_an_unsigned_request_is_refused(shops, client) -> None:
    assert client.get("/proxy/strings?locale=de").status_code == 401
