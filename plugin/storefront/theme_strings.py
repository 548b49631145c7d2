"""The theme widgets' strings, read from the theme app extension's own locale files.

The launcher embed is on every page, so it carries only the strings its button and dialog frame
need (``common`` and ``launcher``); the panels' strings are asked for when the launcher is first
opened (GET /proxy/strings), from the same files the Liquid renders, with Shopify's fallback to
English key by key.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

LOCALES_DIR = Path(__file__).resolve().parents[2] / "extensions" / "tesmart-theme" / "locales"
DEFAULT_LOCALE_FILE = "en.default.json"
# What the launcher's panels need beyond the strings the embed carries inline.
PANEL_GROUPS = ("member", "rewards", "referral", "trade_in", "devices", "returns", "ctrl_f")


def _read(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)["tesmart"]


@lru_cache(maxsize=16)
def load_strings(locale: str) -> dict[str, dict[str, str]]:
    """The ``tesmart`` strings for a locale, falling back key by key to English like Shopify."""
    default = _read(LOCALES_DIR / DEFAULT_LOCALE_FILE)
    candidates = [locale, locale.split("-")[0]] if locale else []
    for name in candidates:
        if not name or not name.replace("-", "").isalnum():
            continue
        path = LOCALES_DIR / f"{name.lower()}.json"
        if path.is_file() and path.name != DEFAULT_LOCALE_FILE:
            translated = _read(path)
            return {
                group: {key: translated.get(group, {}).get(key, text) for key, text in keys.items()}
                for group, keys in default.items()
            }
    return default


def flat(locale: str, groups: tuple[str, ...]) -> dict[str, str]:
    """``{"group.key": text}`` for the groups, in their order."""
    strings = load_strings(locale)
    return {f"{group}.{key}": text for group in groups for key, text in strings[group].items()}
