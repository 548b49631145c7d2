"""The store's transactional emails: which are sent, from whom, and the subject and opening line
of each in each language, with a preview rendered for a demo member (plugin/reach/emails.py)."""

from __future__ import annotations

from flask import Response, request

from plugin.admin.blueprint import bp
from plugin.admin.context import admin, app_home
from plugin.admin.i18n import _, current_locale
from plugin.admin.pages import redirect_to, render, require
from plugin.mail import KINDS, LOCALES, locale_of, mail_enabled
from plugin.mail.strings import EMAILS
from plugin.reach import emails

LANGUAGE_NAMES = {"en": "English", "de": "Deutsch", "ja": "日本語", "ko": "한국어"}


def _page(status: int = 200, errors: dict[str, str] | None = None) -> Response:
    shop = admin().shop
    current = emails.email_settings(shop)
    values = {"sender": current["sender"]}
    for kind in KINDS:
        values[f"on_{kind}"] = kind not in current["off"]
        for locale in LOCALES:
            subject, opening = emails.wording(shop, kind, locale)
            values[f"subject_{kind}_{locale}"] = subject or ""
            values[f"opening_{kind}_{locale}"] = opening or ""
    if errors is not None:  # show what the merchant typed next to the errors
        values.update({k: v for k, v in request.form.items() if k != "id_token"})
        for kind in KINDS:
            values[f"on_{kind}"] = request.form.get(f"on_{kind}") in ("1", "on")
    return render(
        "admin/emails.html",
        status=status,
        title="Emails",
        kinds=KINDS,
        locales=LOCALES,
        language_names=LANGUAGE_NAMES,
        words=EMAILS,
        values=values,
        errors=errors or {},
        open_kinds={kind for kind in KINDS if any(f"_{kind}_" in name for name in (errors or {}))},
        store_locale=locale_of(shop.locale),
        sending=mail_enabled(),
        error="Some fields need attention." if errors else None,
    )


@bp.get("/emails")
@app_home
def emails_page() -> Response:
    return _page()


@bp.post("/emails")
@app_home
def emails_save() -> Response:
    ctx = admin()
    try:
        changed = emails.save_settings(ctx.shop, request.form, actor=ctx.actor)
    except emails.EmailSettingsInvalid as exc:
        return _page(422, exc.errors)
    return redirect_to("admin.emails_page", "saved" if changed else "unchanged")


@bp.get("/emails/<kind>/preview")
@app_home
def email_preview(kind: str) -> Response:
    shop = admin().shop
    require(kind if kind in EMAILS else None)
    locale = request.args.get("lang") or locale_of(shop.locale)
    require(locale if locale in LOCALES else None)
    email = emails.preview(shop, kind, locale)
    return render(
        "admin/email_preview.html",
        title=_(
            "Preview: {email}",
            email=EMAILS[kind]["label"].get(current_locale()) or EMAILS[kind]["label"]["en"],
        ),
        kind=kind,
        locale=locale,
        locales=LOCALES,
        language_names=LANGUAGE_NAMES,
        email=email,
        sender=emails.email_settings(shop)["sender"],
        demo_name=emails.DEMO_NAMES[locale],
    )
