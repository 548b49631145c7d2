"""The admin in the operator's language: en, de, ja and ko.

Shopify passes the staff member's admin language as the ``locale`` parameter of every App Home
load (``de``, ``de-DE``, ``ja``...). The admin keeps it in its own links and forms, so a post and
the page after it stay in that language; without one it falls back to the browser's
``Accept-Language``, then English.

Texts are written in English in the templates and views (``_("Members")``); the German, Japanese
and Korean catalogues in ``locales/*.json`` map each English text to its translation, and a test
holds every text to all three. Numbers, money and dates are formatted for the locale; times are
shown in the store's own time zone.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from flask import has_request_context, request

from plugin.program.messages import SUPPORTED_LOCALES, normalize_locale
from plugin.program.money import quantize

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
TRANSLATED = tuple(locale for locale in SUPPORTED_LOCALES if locale != "en")
HTML_LANG = {"en": "en", "de": "de", "ja": "ja", "ko": "ko"}


@cache
def catalogue(locale: str) -> dict[str, str]:
    path = LOCALES_DIR / f"{locale}.json"
    if locale == "en" or not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def requested_locale() -> str:
    """The locale Shopify passed (query or form), else the browser's, else English."""
    raw = (request.values.get("locale") or "").strip()
    if raw:
        return normalize_locale(raw)
    best = request.accept_languages.best_match(SUPPORTED_LOCALES)
    return best or "en"


def current_locale() -> str:
    if not has_request_context():
        return "en"
    # Kept on the request itself: the language is the request's (an app context may outlive it).
    found = request.environ.get(_LOCALE_KEY)
    if found is None:
        found = request.environ[_LOCALE_KEY] = requested_locale()
    return found


_LOCALE_KEY = "tesmart.admin_locale"


# Messages the services write with a figure in them ("Enter a number from 0 to 1,000,000."):
# their English pattern, and the catalogue text that translates them.
PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (
            r"^Enter a number from (?P<low>[\d,.-]+) to (?P<high>[\d,.-]+)\.$",
            "Enter a number from {low} to {high}.",
        ),
        (
            r"^Enter a number above (?P<low>[\d,.-]+) and at most (?P<high>[\d,.-]+)\.$",
            "Enter a number above {low} and at most {high}.",
        ),
        (r"^Keep it under (?P<limit>\d+) characters\.$", "Keep it under {limit} characters."),
        (
            r"^One line of at most (?P<limit>\d+) characters\.$",
            "One line of at most {limit} characters.",
        ),
        (
            r"^Line (?P<number>\d+): write it as 'product type = category'\.$",
            "Line {number}: write it as 'product type = category'.",
        ),
        (
            r"^Line (?P<number>\d+): the category must be one of (?P<categories>.+)\.$",
            "Line {number}: the category must be one of {categories}.",
        ),
        (
            r"^Line (?P<number>\d+): the product type is too long\.$",
            "Line {number}: the product type is too long.",
        ),
        (r"^Choose one of (?P<choices>.+)\.$", "Choose one of {choices}."),
    )
)


def gettext(text: str, /, **params: Any) -> str:
    """``text`` in the operator's language, with ``{name}`` parameters filled in."""
    found = catalogue(current_locale())
    translated = found.get(text)
    if translated is None and found and not params:
        for pattern, key in PATTERNS:
            match = pattern.match(text)
            if match and key in found:
                return found[key].format(**match.groupdict())
    if translated is None:
        translated = text
    return translated.format(**params) if params else translated


_ = gettext


# --- numbers, money, dates -------------------------------------------------------------------

_GROUPING = {"de": (".", ","), "en": (",", "."), "ja": (",", "."), "ko": (",", ".")}


def _group(text: str, locale: str) -> str:
    thousands, decimal_mark = _GROUPING.get(locale, (",", "."))
    return text.replace(",", "\0").replace(".", decimal_mark).replace("\0", thousands)


def format_number(value: int | Decimal | None, locale: str | None = None) -> str:
    if value is None:
        return "—"
    locale = locale or current_locale()
    text = (
        f"{int(value):,}"
        if isinstance(value, int) or Decimal(value) == int(value)
        else f"{Decimal(value):,}"
    )
    return _group(text, locale)


def format_points(value: int | None, locale: str | None = None) -> str:
    return format_number(None if value is None else int(value), locale)


def format_signed(value: int, locale: str | None = None) -> str:
    return ("+" if value > 0 else "−" if value < 0 else "") + format_number(abs(int(value)), locale)


def format_money(
    amount: Decimal | int | str | None, currency: str, locale: str | None = None
) -> str:
    """Shop money as the operator reads it, always naming the currency: 9,999.00 USD, 9.999,00 EUR,
    4,321 JPY."""
    if amount is None:
        return "—"
    locale = locale or current_locale()
    value = quantize(Decimal(str(amount)), currency)
    text = f"{value:,.0f}" if currency in ("JPY", "KRW") else f"{value:,.2f}"
    return f"{_group(text, locale)} {currency}"


def format_percent(value: Decimal | int | None, locale: str | None = None) -> str:
    if value is None:
        return "—"
    locale = locale or current_locale()
    normalized = format(Decimal(value).normalize(), "f")
    text = _group(normalized, locale)
    return f"{text} %" if locale == "de" else f"{text}%"


def format_date(day: date | None, locale: str | None = None) -> str:
    if day is None:
        return "—"
    locale = locale or current_locale()
    if isinstance(day, datetime):
        day = day.date()
    if locale == "de":
        return f"{day.day:02d}.{day.month:02d}.{day.year}"
    if locale == "ja":
        return f"{day.year}/{day.month:02d}/{day.day:02d}"
    if locale == "ko":
        return f"{day.year}. {day.month}. {day.day}."
    return day.strftime("%b %d, %Y").replace(" 0", " ")


_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS_DE = (
    "Jan.",
    "Feb.",
    "März",
    "Apr.",
    "Mai",
    "Juni",
    "Juli",
    "Aug.",
    "Sept.",
    "Okt.",
    "Nov.",
    "Dez.",
)


def format_month(day: date | None, locale: str | None = None) -> str:
    """A calendar month as the locale names it: Dec 2026, Dez. 2026, 2026年12月, 2026년 12월."""
    if day is None:
        return "—"
    locale = locale or current_locale()
    if locale == "ja":
        return f"{day.year}年{day.month}月"
    if locale == "ko":
        return f"{day.year}년 {day.month}월"
    names = _MONTHS_DE if locale == "de" else _MONTHS_EN
    return f"{names[day.month - 1]} {day.year}"


def format_when(
    moment: datetime | date | None, tz: tzinfo | None = None, locale: str | None = None
) -> str:
    """A moment in the store's time zone, as the operator's locale writes it (a naive moment is
    taken as UTC)."""
    if moment is None:
        return "—"
    if not isinstance(moment, datetime):
        return format_date(moment, locale)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(tz or UTC)
    return f"{format_date(local.date(), locale)} {local:%H:%M}"
