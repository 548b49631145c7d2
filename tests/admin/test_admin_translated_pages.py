"""Every admin page in German, Japanese and Korean: rendered with data of every kind, its visible
text holds no English sentence left over, and every catalogue has every text."""

from __future__ import annotations

import ast
import json
import re
from typing import Any

import pytest

from plugin.admin import labels
from plugin.admin.i18n import LOCALES_DIR, TRANSLATED
from tests.admin.test_no_raw_internals import VisibleText, _seed


class AdminText(VisibleText):
    """The admin's own words: also leaves out what is quoted in another language (an email's
    default subject, marked with its ``lang``)."""

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag != "html" and any(name == "lang" for name, _v in attrs):
            self._skip += 1
            self._stack.append(tag)
            return
        super().handle_starttag(tag, attrs)


def visible(html: str) -> str:
    parser = AdminText()
    parser.feed(html)
    return "\n".join(parser.parts)


# Words that stay as they are in every language: brand and product names, units and formats, and
# the words the seeded data itself contains (names, titles, notes the merchant or shopper typed).
KEEP = {
    "TESmart",
    "TESmart Members",
    "CTRL",
    "ID",
    "CSV",
    "JSON",
    "SMTP",
    "SMTP_URL",
    "Shopify",
    "USD",
    "EUR",
    "JPY",
    "KRW",
    "KVM",
    "HDMI",
    "PCs",
    "Two",
    "beta",
    "Double",
    "Gift",
    "off",
    "Goodwill",
    "Jane",
    "Doe",
    "Roe",
    "Fritz",
    "Freund",
    "Main",
    "St",
    "Springfield",
    "The",
    "port",
    "flickers",
    "picture",
    "No",
    "US",
    "EU",
    "JP",
    "KR",
    "UTC",
    "America",
    "New_York",
    "Europe",
    "Berlin",
    "Asia",
    "Tokyo",
    "Seoul",
    "Los_Angeles",
    "YYYY",
    "MM",
    "DD",
    "pdf",
    "invoice",
    "front",
    "jpg",
    "clip",
    "mp4",
    "Switch",
    "Matrix",
    "Pro",
    "Legacy",
    "Deutsch",
    "English",
    "TESmart US",
    "TESmart EU",
    "Members",
    "Dashboard",
    "VIP",
    "HTML",
    "switch",
    "Alex",
    "Demo",
    "tesmart",
    "reply",
    "Typo",
    "fields",
    "ship_by",
    # the tier settings' JSON keys and values, which the merchant types as they are
    "basis",
    "points_earned",
    "money_spent",
    "window",
    "rolling_12_months",
    "lifetime",
    "retention",
    "period_end",
    "grace",
    "grace_months",
    "never",
    "key",
    "name",
    "threshold",
    "multiplier",
    "perk",
    "free_shipping",
    "gift",
    "none",
    "perk_detail",
}
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_']{2,}")


def _english_left(text: str, keep: set[str]) -> list[str]:
    found = []
    for line in text.splitlines():
        stripped = re.sub(
            r"\S+@\S+|[\w.-]+\.myshopify\.com|https?://\S+|#\d+|\bv?\d[\w.-]*", " ", line
        )
        # a word with a digit in it is an identifier (a serial, a code), not English
        words = [
            w for w in LATIN_WORD.findall(stripped) if w not in keep and not re.search(r"\d", w)
        ]
        if words:
            found.append(line)
    return found


@pytest.fixture()
def pages(shops: Any, fake_admin: Any, admin_post: Any) -> list[tuple[str, str, dict[str, str]]]:
    import dataclasses

    ids = _seed(shops, fake_admin)
    # The operator's own name, as Shopify gives it: a person's name is not text to translate.
    fake_admin._policy = dataclasses.replace(fake_admin._policy, staff={"42": ("Alex", "Demo")})
    return [
        ("GET", "/admin/", {}),
        ("GET", "/admin/members", {}),
        ("GET", f"/admin/members/{ids['member']}", {}),
        ("GET", "/admin/trade-ins", {}),
        ("GET", "/admin/trade-ins", {"state": "all"}),
        ("GET", f"/admin/trade-ins/{ids['trade_in']}", {}),
        ("GET", "/admin/returns", {}),
        ("GET", f"/admin/returns/{ids['return']}", {}),
        ("GET", f"/admin/warranty-claims/{ids['claim']}", {}),
        ("GET", "/admin/ctrl-f", {}),
        ("GET", f"/admin/ctrl-f/{ids['program']}", {}),
        ("GET", "/admin/settings", {}),
        ("GET", "/admin/rewards", {}),
        ("GET", "/admin/campaigns", {}),
        ("GET", "/admin/data", {}),
        ("GET", "/admin/audit", {}),
        ("GET", "/admin/staff", {}),
        ("GET", "/admin/emails", {}),
        ("GET", "/admin/emails/points_expiring/preview", {}),
        ("GET", "/admin/tiers", {}),
        ("GET", "/admin/members/999999", {}),
        ("GET", "/admin/no-such-page", {}),
        # the server's confirmation step and a refused form
        ("POST", f"/admin/members/{ids['member']}/adjust", {"points": "-100000", "reason": "Typo"}),
        ("POST", "/admin/settings", {"section": "earning", "signup": "-5"}),
        ("POST", "/admin/campaigns", {"kind": "gift", "title": ""}),
    ]


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_admin_page_is_in_the_operators_language(
    locale: str, pages: Any, admin_get: Any, admin_post: Any
) -> None:
    problems: list[str] = []
    for method, path, params in pages:
        if method == "GET":
            response = admin_get(path, locale=locale, **params)
        else:
            response = admin_post(path, params, query={"locale": locale})
        html = response.get_data(as_text=True)
        assert f'<html lang="{locale}">' in html, (path, response.status_code)
        text = visible(html)
        if locale in ("ja", "ko"):
            problems += [f"{method} {path}: {line!r}" for line in _english_left(text, KEEP)]
        else:  # German shares the Latin script: no English catalogue text may be left on the page
            german = _catalogue("de")
            for line in text.splitlines():
                if line in german and german[line] != line:
                    problems.append(f"{method} {path}: {line!r}")
    assert problems == [], "\n".join(problems)


def _catalogue(locale: str) -> dict[str, str]:
    return json.loads((LOCALES_DIR / f"{locale}.json").read_text(encoding="utf-8"))


def test_the_catalogues_hold_the_same_texts_with_their_placeholders() -> None:
    catalogues = {locale: _catalogue(locale) for locale in TRANSLATED}
    keys = {locale: set(found) for locale, found in catalogues.items()}
    assert keys["de"] == keys["ja"] == keys["ko"], {
        locale: sorted(keys["de"] ^ found)[:20]
        for locale, found in keys.items()
        if found != keys["de"]
    }
    for locale, found in catalogues.items():
        for english, translated in found.items():
            assert set(re.findall(r"{\w+}", english)) == set(re.findall(r"{\w+}", translated)), (
                locale,
                english,
            )
            assert translated.strip(), (locale, english)


def test_every_label_is_translated() -> None:
    catalogue = _catalogue("ja")
    missing = sorted(
        {
            text
            for group in labels.LABELS.values()
            for text in group.values()
            if text not in catalogue and LATIN_WORD.search(text) and text not in KEEP
        }
    )
    assert missing == []


def test_every_text_in_the_templates_and_views_is_in_the_catalogues() -> None:
    from pathlib import Path

    root = Path(labels.__file__).resolve().parent
    sources = [
        *root.glob("templates/admin/*.html"),
        *root.glob("views/*.py"),
        root / "pages.py",
        root / "errors.py",
    ]
    literal = re.compile(r"""\b_\(\s*(?:"((?:[^"\\]|\\.)+)"|'((?:[^'\\]|\\.)+)')""")
    catalogue = _catalogue("ja")
    missing = set()
    for source in sources:
        code = source.read_text(encoding="utf-8")
        if source.suffix == ".py":
            # The parsed literal: a long text is split over lines by implicit concatenation.
            texts = [
                node.args[0].value
                for node in ast.walk(ast.parse(code))
                if isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "_"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ]
        else:
            texts = [
                (m.group(1) or m.group(2)).replace('\\"', '"').replace("\\'", "'")
                for m in literal.finditer(code)
            ]
        for text in texts:
            if text not in catalogue:
                missing.add(f"{source.name}: {text}")
    assert sorted(missing) == []
