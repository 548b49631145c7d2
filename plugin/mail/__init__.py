"""Transactional emails: Jinja templates (an HTML and a plain-text part each) sent with
Flask-Mailman over SMTP.

``SMTP_URL`` configures the server: ``smtp://user:password@host:587?starttls=true`` (STARTTLS) or
``smtps://user:password@host:465`` (TLS from the start); ``timeout`` (seconds, default 20) may be
added to the query. Without it, dev mode keeps every message in the local mailbox shown at
``/dev/mail`` (:mod:`plugin.mail.mailbox`), and production sends nothing (no email is queued).

Rendering needs no request: the job that sends an email renders it with the store's current
wording (the merchant's subject and opening line, plugin.reach.emails) and the facts the event
recorded in the outbox payload.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from flask import Flask, current_app
from flask_mailman import Mail
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from plugin.mail.strings import COMMON, EMAILS, KINDS, LOCALES
from plugin.program.messages import format_date, format_money

__all__ = ["KINDS", "LOCALES", "RenderedEmail", "init_mail", "mail_enabled", "render", "locale_of"]

MAILBOX_BACKEND = "plugin.mail.mailbox.EmailBackend"
TEMPLATES = Path(__file__).resolve().parent / "templates"
# Facts recorded as ISO dates / as amounts in the payload's currency / as point counts.
DATE_FIELDS = frozenset({"ship_by", "refund_due", "feedback_due", "expires_on"})
MONEY_FIELDS = frozenset({"value", "value_before"})
POINT_FIELDS = frozenset({"points", "balance"})

mail = Mail()
_environment = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,  # a missing fact fails the render (and the tests), never a blank
    keep_trailing_newline=True,
)


def init_mail(app: Flask) -> None:
    url = app.config.get("SMTP_URL")
    if url:
        parsed = urlparse(url)
        query = parse_qs(parsed.query)
        app.config.update(
            MAIL_BACKEND="smtp",
            MAIL_SERVER=parsed.hostname or "localhost",
            MAIL_PORT=parsed.port or (465 if parsed.scheme == "smtps" else 25),
            MAIL_USERNAME=unquote(parsed.username) if parsed.username else None,
            MAIL_PASSWORD=unquote(parsed.password) if parsed.password else None,
            MAIL_USE_SSL=parsed.scheme == "smtps",
            MAIL_USE_TLS=parsed.scheme == "smtp"
            and query.get("starttls", ["false"])[0].lower() in ("1", "true", "yes"),
            MAIL_TIMEOUT=float(query.get("timeout", ["20"])[0]),
        )
    elif app.config.get("DEV_MODE"):
        app.config["MAIL_BACKEND"] = MAILBOX_BACKEND
        app.config.setdefault("DEV_MAILBOX", str(Path(app.instance_path) / "mail"))
    mail.init_app(app)


def mail_enabled(app: Flask | None = None) -> bool:
    """Whether emails are sent at all: an SMTP server is configured, or dev mode's mailbox."""
    config = (app or current_app).config
    return bool(config.get("SMTP_URL")) or config.get("MAIL_BACKEND") == MAILBOX_BACKEND


def locale_of(shop_locale: str | None) -> str:
    language = (shop_locale or "en").split("-")[0].lower()
    return language if language in LOCALES else "en"


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def render(
    kind: str,
    locale: str,
    facts: dict[str, Any],
    *,
    shop_name: str,
    customer_name: str | None = None,
    subject: str | None = None,
    opening: str | None = None,
) -> RenderedEmail:
    """The email ``kind`` in ``locale`` with the event's ``facts``; ``subject``/``opening`` are the
    merchant's own wording (may use the same {fields} as the defaults)."""
    words = EMAILS[kind]
    shown = _shown_facts(facts, locale)
    common = {key: text[locale] for key, text in COMMON.items()}
    context: dict[str, Any] = {
        "locale": locale,
        "shop_name": shop_name,
        "subject": (subject or words["subject"][locale]).format(**shown),
        "opening": (opening or words["opening"][locale]).format(**shown),
        "body": words["body"][locale].format(**shown),
        "greeting": common["greeting"].format(name=customer_name)
        if customer_name
        else common["greeting_anonymous"],
        "footer": common["footer"].format(shop=shop_name),
        "c": common,
        "p": shown,
    }
    return RenderedEmail(
        subject=context["subject"],
        text=_environment.get_template(f"mail/{kind}.txt").render(context),
        html=_environment.get_template(f"mail/{kind}.html").render(context),
    )


def _shown_facts(facts: dict[str, Any], locale: str) -> dict[str, Any]:
    currency = str(facts.get("currency") or "")
    shown: dict[str, Any] = {}
    for key, value in facts.items():
        if value is None:
            shown[key] = ""
        elif key in DATE_FIELDS:
            day = value if isinstance(value, date) else date.fromisoformat(str(value))
            shown[key] = format_date(day, locale)
        elif key in MONEY_FIELDS:
            shown[key] = format_money(Decimal(str(value)), currency, locale)
        elif key in POINT_FIELDS:
            shown[key] = f"{int(value):,}"
        elif key == "decision":
            shown[key] = COMMON[f"decision_{value}"][locale]
        else:
            shown[key] = str(value)
    return shown
