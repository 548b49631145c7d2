"""The theme widgets' containers, rendered in Python for the local dev storefront.

This mirrors what the theme app extension's Liquid produces (``snippets/tesmart-root.liquid``
and the ``tesmart-i18n-*`` captures in each block), from the same locale files, so the dev page
runs ``tesmart.js`` against exactly the markup a storefront would serve.
``tests/extensions/test_theme_markup.py`` parses the Liquid and fails when the two drift apart.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from plugin.storefront.theme_strings import load_strings

EXTENSION_DIR = Path(__file__).resolve().parents[2] / "extensions" / "tesmart-theme"
ASSETS_DIR = EXTENSION_DIR / "assets"
LOCALES_DIR = EXTENSION_DIR / "locales"
DEFAULT_LOCALE_FILE = "en.default.json"
PROXY_BASE = "/apps/tesmart"

# Which string groups each block embeds, in the order its Liquid renders them.
BLOCK_GROUPS: dict[str, tuple[str, ...]] = {
    "member-status": ("common", "member", "rewards"),
    "rewards": ("common", "rewards"),
    "referral": ("common", "referral"),
    "trade-in": ("common", "trade_in"),
    "devices": ("common", "devices"),
    "returns": ("common", "returns", "devices"),
    "ctrl-f": ("common", "ctrl_f", "devices"),
    # The launcher is on every page: its panels' strings come from GET /proxy/strings when opened.
    "launcher": ("common", "launcher"),
}
SECTION_BLOCKS = (
    "member-status",
    "rewards",
    "referral",
    "trade-in",
    "devices",
    "returns",
    "ctrl-f",
)
APP_EMBED = "launcher"
LAUNCHER_POSITIONS = ("bottom-right", "bottom-left")


def strings_for(kind: str, locale: str) -> dict[str, str]:
    """The flat ``{"group.key": text}`` map a block embeds, in the Liquid's order."""
    strings = load_strings(locale)
    return {
        f"{group}.{key}": text
        for group in BLOCK_GROUPS[kind]
        for key, text in strings[group].items()
    }


def json_for_script(value: Any) -> str:
    """JSON safe inside ``<script>``: like Shopify's ``json`` filter, escape <, > and &."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_container(
    kind: str,
    *,
    block_id: str,
    locale: str,
    currency: str,
    logged_in: bool,
    login_url: str,
    position: str = "inline",
    register_url: str | None = None,
    account_url: str | None = None,
    forms_url: str = "/dev/assets/tesmart-forms.js",
) -> Markup:
    """The markup of ``snippets/tesmart-root.liquid`` for one block."""
    if kind not in BLOCK_GROUPS:
        raise ValueError(f"unknown block kind {kind!r}")
    attributes = {
        "id": f"tesmart-{block_id}",
        "class": f"tesmart tesmart--{kind}",
        "data-tesmart": kind,
        # The launcher embed carries the proxy path setting (its default); blocks follow it.
        "data-proxy": PROXY_BASE if kind == "launcher" else "",
        "data-locale": locale,
        "data-currency": currency,
        "data-customer": "true" if logged_in else "false",
        "data-login-url": login_url,
        "data-register-url": register_url or login_url,
        "data-account-url": account_url or login_url,
        "data-forms": forms_url,
        "data-position": position,
        "aria-busy": "true",
    }
    opening = " ".join(f'{name}="{escape(value)}"' for name, value in attributes.items())
    strings = strings_for(kind, locale)
    parts = [f"<div {opening}>"]
    if kind != APP_EMBED:
        loading = escape(strings["common.loading"])
        parts.append(
            '<div class="tesmart__skeleton" '
            'aria-hidden="true"><span></span><span></span><span></span></div><p '
            f'class="tesmart__sr">{loading}</p>'
        )
    parts.append(
        f'<script type="application/json" class="tesmart__i18n">{json_for_script(strings)}</script>'
    )
    parts.append("</div>")
    return Markup("".join(parts))
