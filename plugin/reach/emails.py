"""Transactional emails to members: queued as outbox items, worded per store and language.

An event calls :func:`queue_email` in the transaction that records it; the outbox item (kind
``email.send``, key ``email:<event key>``) is written once per event however often the event's
code runs, and the job renders and sends it (plugin/effects/email.py). The language is the
store's (POLICY.md section 1); the address is looked up when sending, so a customer redacted in
between gets nothing.

Per store (``shop.settings["emails"]``): the sender, the kinds turned off, and per kind and
language the merchant's subject and opening line.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from plugin import outbox
from plugin.clock import today, zone
from plugin.database import audit
from plugin.database.transaction import unit_of_work
from plugin.extensions import db
from plugin.mail import KINDS, LOCALES, RenderedEmail, locale_of, mail_enabled, render
from plugin.mail.strings import EMAILS
from plugin.models import Member, Shop, ShopCustomer

EFFECT = outbox.EffectKind.EMAIL.value
MAX_SUBJECT = 200
MAX_OPENING = 500
# A sample member and facts for the admin's preview (and the tests that render every kind).
DEMO_NAMES = {"en": "Alex Demo", "de": "Max Mustermann", "ja": "山田 太郎", "ko": "홍길동"}


class EmailSettingsInvalid(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def email_settings(shop: Shop) -> dict[str, Any]:
    raw = dict((shop.settings or {}).get("emails") or {})
    return {
        "sender": raw.get("sender") or default_sender(shop),
        "off": list(raw.get("off") or []),
        "wording": dict(raw.get("wording") or {}),
    }


def default_sender(shop: Shop) -> str:
    host = shop.storefront_host or shop.domain
    return f"{shop.name or 'TESmart'} <no-reply@{host}>"


def is_on(shop: Shop, kind: str) -> bool:
    return kind not in email_settings(shop)["off"]


def wording(shop: Shop, kind: str, locale: str) -> tuple[str | None, str | None]:
    mine = (email_settings(shop)["wording"].get(kind) or {}).get(locale) or {}
    return mine.get("subject") or None, mine.get("opening") or None


def queue_email(
    shop: Shop,
    kind: str,
    key: str,
    *,
    facts: Mapping[str, Any],
    member_id: int | None = None,
    customer_id: str | None = None,
) -> int | None:
    """Queue email ``kind`` for the member (or shop customer) once per event ``key``. Nothing is
    queued when mail is not configured, the store turned the kind off, or nobody can be reached."""
    if kind not in EMAILS:
        raise KeyError(kind)
    if not mail_enabled() or not is_on(shop, kind):
        return None
    customer_id = customer_id or _customer_of(shop, member_id)
    if customer_id is None and member_id is None:
        return None
    payload: dict[str, Any] = {
        "key": f"email:{key}",
        "kind": kind,
        "locale": locale_of(shop.locale),
        "member_id": member_id,
        "customer_id": customer_id,
        "facts": _plain(dict(facts)),
    }
    return outbox.add(shop.id, EFFECT, payload["key"], payload)


def recipient(shop: Shop, payload: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(address, first name) at sending time: the shop customer's, else the member's."""
    customer_id = payload.get("customer_id")
    if customer_id:
        customer = db.session.execute(
            select(ShopCustomer).where(
                ShopCustomer.shop_id == shop.id, ShopCustomer.customer_id == str(customer_id)
            )
        ).scalar_one_or_none()
        if customer is not None and customer.email:
            return customer.email, customer.first_name
    member_id = payload.get("member_id")
    member = db.session.get(Member, member_id) if isinstance(member_id, int) else None
    if member is not None and member.email and member.redacted_at is None:
        return member.email, None
    return None, None


def rendered(
    shop: Shop, kind: str, locale: str, facts: Mapping[str, Any], name: str | None
) -> RenderedEmail:
    subject, opening = wording(shop, kind, locale)
    return render(
        kind,
        locale,
        dict(facts),
        shop_name=shop.name or shop.domain,
        customer_name=name,
        subject=subject,
        opening=opening,
    )


def preview(shop: Shop, kind: str, locale: str) -> RenderedEmail:
    return rendered(shop, kind, locale, demo_facts(shop, kind), DEMO_NAMES[locale])


def demo_facts(shop: Shop, kind: str) -> dict[str, Any]:
    day = today(zone(shop.timezone, shop.region))

    def in_days(n: int) -> str:
        return (day + timedelta(days=n)).isoformat()

    amount = "4500" if shop.currency in ("JPY", "KRW") else "45.00"
    facts: dict[str, Any] = {
        "currency": shop.currency,
        "device": "TESmart HKS0401A KVM",
        "value": amount,
        "value_before": amount,
        "ship_by": in_days(30),
        "code": "TESMART-DEMO-1234",
        "reward": "10%",
        "points": 500,
        "balance": 1200,
        "program": "TESmart HDK0802A",
        "feedback_due": in_days(21),
        "refund_due": in_days(7),
        "expires_on": in_days(20),
        "order": "#1001",
        "decision": "approved",
        "tier": "VIP",
    }
    return facts


@unit_of_work()
def save_settings(shop: Shop, form: Mapping[str, Any], *, actor: str) -> bool:
    """The admin's email page: sender, kinds on/off, subject and opening per kind and language.
    Validated as a whole (nothing is stored on an error), audited, committed. False: no change."""
    errors: dict[str, str] = {}
    sender = str(form.get("sender") or "").strip()
    if not sender or "@" not in sender or len(sender) > 320 or "\n" in sender or "\r" in sender:
        errors["sender"] = "Enter a sender address, e.g. TESmart <members@tesmart.com>."
    off = [kind for kind in KINDS if str(form.get(f"on_{kind}") or "") not in ("1", "on", "true")]
    wording_out: dict[str, dict[str, dict[str, str]]] = {}
    for kind in KINDS:
        for locale in LOCALES:
            for part, limit in (("subject", MAX_SUBJECT), ("opening", MAX_OPENING)):
                name = f"{part}_{kind}_{locale}"
                value = str(form.get(name) or "").strip()
                if not value:
                    continue
                if len(value) > limit or "\n" in value or "\r" in value:
                    errors[name] = f"One line of at most {limit} characters."
                    continue
                try:  # the merchant's text may use the default's {fields}, and only those
                    render(kind, locale, demo_facts(shop, kind), shop_name="", **{part: value})
                except (KeyError, IndexError, ValueError):
                    errors[name] = "Use only the {fields} of the default text, or none."
                    continue
                if value != EMAILS[kind][part][locale]:
                    wording_out.setdefault(kind, {}).setdefault(locale, {})[part] = value
    if errors:
        raise EmailSettingsInvalid(errors)
    values = {"sender": sender, "off": off, "wording": wording_out}
    current = dict(shop.settings or {})
    before = current.get("emails") or {}
    if before == values:
        return False
    shop.settings = {**current, "emails": values}
    audit.record(
        shop_id=shop.id,
        actor=actor,
        action="settings.emails",
        subject_type="shop",
        subject_id=shop.id,
        before=before,
        after=values,
    )
    return True


def _customer_of(shop: Shop, member_id: int | None) -> str | None:
    if member_id is None:
        return None
    return db.session.execute(
        select(ShopCustomer.customer_id)
        .where(ShopCustomer.shop_id == shop.id, ShopCustomer.member_id == member_id)
        .order_by(ShopCustomer.id)
        .limit(1)
    ).scalar_one_or_none()


def _plain(facts: dict[str, Any]) -> dict[str, Any]:
    plain: dict[str, Any] = audit._plain(facts)  # dates as ISO text, money as decimal strings
    return plain
