"""The admin in the operator's language: the locale Shopify passes, kept in every link."""

from __future__ import annotations

import json
from typing import Any

from plugin.admin.i18n import LOCALES_DIR
from tests.admin import factories


def test_a_german_operator_sees_the_admin_in_german(shops: Any, admin_get: Any) -> None:
    eu = shops["eu"]
    jane = factories.member(eu, "jane@example.com", activated=factories.at("2026-01-01"))
    factories.points(eu, jane, 1400)
    text = admin_get("/admin/", shop="eu", locale="de-DE").get_data(as_text=True)
    assert '<html lang="de">' in text
    for german in ("Übersicht", "Mitglieder", "Vergebene Punkte", "Offene Verbindlichkeit", "Inzahlungnahmen"):
        assert german in text, german
    assert "Points issued</span>" not in text
    assert "1.400" in text  # German grouping
    assert "locale=de" in text  # the links keep the language


def test_without_a_locale_the_admin_is_english(shops: Any, admin_get: Any) -> None:
    text = admin_get("/admin/", shop="eu").get_data(as_text=True)
    assert '<html lang="en">' in text and "Points issued" in text


def test_the_catalogues_are_valid_and_keep_placeholders() -> None:
    import re

    german = json.loads((LOCALES_DIR / "de.json").read_text(encoding="utf-8"))
    for english, translated in german.items():
        assert set(re.findall(r"{\w+}", english)) == set(re.findall(r"{\w+}", translated)), english
