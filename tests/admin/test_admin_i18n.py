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
    for german in (
        "Übersicht",
        "Mitglieder",
        "Vergebene Punkte",
        "Offene Verbindlichkeit",
        "Inzahlungnahmen",
    ):
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


def test_months_numbers_and_rates_are_written_the_locales_way() -> None:
    from datetime import date
    from decimal import Decimal

    from plugin.admin.i18n import format_money, format_month, format_percent, format_points

    december = date(2026, 12, 1)
    assert [format_month(december, loc) for loc in ("en", "de", "ja", "ko")] == [
        "Dec 2026",
        "Dez. 2026",
        "2026年12月",
        "2026년 12월",
    ]
    assert (
        format_percent(Decimal("12.5"), "de") == "12,5 %"
        and format_percent(Decimal("12.5"), "ja") == "12.5%"
    )
    assert (
        format_points(1234567, "de") == "1.234.567" and format_points(1234567, "ko") == "1,234,567"
    )
    assert (
        format_money(Decimal("9999"), "EUR", "de") == "9.999,00 EUR"
        and format_money(Decimal("4321"), "JPY", "ja") == "4,321 JPY"
    )


def test_a_filter_over_constants_follows_each_request_s_language(app):
    """Jinja folds a filter over constants at compile time; the admin's filters must not be folded,
    or the first operator's language would stick in the compiled template for everyone after."""

    source = '{{ "open"|label("ctrlf_state") }} {{ 1234|points }}'
    template = None
    rendered = {}
    for locale in ("de", "ja", "en"):
        with app.test_request_context(f"/admin?locale={locale}"):
            template = template or app.jinja_env.from_string(source)  # compiled once, as a file is
            rendered[locale] = template.render()
    assert rendered == {"de": "Offen 1.234", "ja": "受付中 1,234", "en": "Open 1,234"}
