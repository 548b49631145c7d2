"""Every email kind renders in all four store languages from its template files, with every
field filled, a plain-text part, and words of its own language (no English left in de/ja/ko)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from plugin.mail import KINDS, LOCALES, TEMPLATES, render
from plugin.mail.strings import COMMON, EMAILS
from plugin.reach.emails import DEMO_NAMES, demo_facts, preview

CASES = [pytest.param(kind, locale, id=f"{kind}-{locale}") for kind in KINDS for locale in LOCALES]


@pytest.mark.parametrize(("kind", "locale"), CASES)
def test_every_kind_renders_in_every_language(shops: Any, kind: str, locale: str) -> None:
    shop = shops["jp"]
    email = render(
        kind, locale, demo_facts(shop, kind), shop_name="TESmart", customer_name=DEMO_NAMES[locale]
    )
    for part in (email.subject, email.text, email.html):
        assert part.strip()
        assert not re.search(r"\{[a-z_]+\}", part), "a field was left unfilled"
        assert "None" not in part
    assert EMAILS[kind]["opening"][locale] in email.text
    assert "<" not in email.text  # the plain-text part is text
    if locale != "en":  # the English body's longest word does not appear
        english = max(re.sub(r"\{\w+\}", " ", EMAILS[kind]["body"]["en"]).split(), key=len)
        assert english not in email.text


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_has_an_html_and_a_plain_text_template(kind: str) -> None:
    assert (TEMPLATES / "mail" / f"{kind}.html").is_file()
    assert (TEMPLATES / "mail" / f"{kind}.txt").is_file()


def test_every_text_exists_in_all_four_languages() -> None:
    for kind, parts in EMAILS.items():
        for part, texts in parts.items():
            assert set(texts) == set(LOCALES), (kind, part)
            fields = {frozenset(re.findall(r"\{(\w+)\}", text)) for text in texts.values()}
            assert len(fields) == 1, f"{kind}.{part}: the languages use different fields {fields}"
    for key, texts in COMMON.items():
        assert set(texts) == set(LOCALES), key


def test_a_missing_fact_fails_the_render_instead_of_leaving_a_gap() -> None:
    with pytest.raises(KeyError):
        render("trade_in_approved", "de", {"device": "KVM", "currency": "EUR"}, shop_name="TESmart")


def test_the_preview_uses_the_demo_member_and_the_merchants_wording(shops: Any) -> None:
    shop = shops["eu"]
    shop.settings = {
        **(shop.settings or {}),
        "emails": {"wording": {"trade_in_approved": {"de": {"opening": "Hallo aus Berlin!"}}}},
    }
    email = preview(shop, "trade_in_approved", "de")
    assert "Max Mustermann" in email.text and "Hallo aus Berlin!" in email.text


def test_no_template_file_is_left_without_a_kind() -> None:
    names = {path.stem for path in Path(TEMPLATES / "mail").glob("*.*")} - {"base"}
    assert names == set(KINDS)
