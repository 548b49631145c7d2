"""The merchant's email page: each email on or off per store, subject and opening line per
language, a preview with a demo member; the dev mailbox at /dev/mail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from plugin.extensions import db
from plugin.models import AuditLog, OutboxItem, Shop
from plugin.reach import emails
from tests.admin import factories


def _form(shop: Shop, **changes: str) -> dict[str, str]:
    form = {"sender": "TESmart <members@tesmart.de>"}
    form.update({f"on_{kind}": "1" for kind in emails.KINDS})
    form.update(changes)
    return form


def test_the_page_lists_every_email_with_its_default_words(shops: Any, admin_get: Any) -> None:
    body = admin_get("/admin/emails", shop="eu").get_data(as_text=True)
    for kind in emails.KINDS:
        assert f'name="on_{kind}"' in body
        assert f'name="subject_{kind}_de"' in body
    assert "Ihre Inzahlungnahme ist genehmigt" in body


def test_a_turned_off_email_is_not_sent(
    shops: Any, admin_post: Any, admin_get: Any, fake_admin: Any, mailbox: Any
) -> None:
    eu = shops["eu"]
    form = _form(eu)
    del form["on_trade_in_approved"]
    assert admin_post("/admin/emails", form, shop="eu").status_code == 303
    member = factories.member(
        eu, "off@example.com", activated=datetime.now(UTC) - timedelta(days=40)
    )
    trade_in = factories.trade_in(eu, member, value="45.00")
    assert admin_post(f"/admin/trade-ins/{trade_in.id}/approve", {}, shop="eu").status_code == 303
    assert mailbox.messages() == []
    assert db.session.query(OutboxItem).filter_by(kind="email.send").count() == 0
    # Another store keeps its own settings.
    assert emails.is_on(shops["us"], "trade_in_approved")


def test_the_merchants_subject_and_opening_are_used_and_audited(
    shops: Any, admin_post: Any, mailbox: Any
) -> None:
    eu = shops["eu"]
    form = _form(
        eu,
        subject_trade_in_approved_de="Bitte bis {ship_by} senden",
        opening_trade_in_approved_de="Danke, dass Sie bei uns eintauschen!",
    )
    assert admin_post("/admin/emails", form, shop="eu").status_code == 303
    member = factories.member(
        eu, "words@example.com", activated=datetime.now(UTC) - timedelta(days=40)
    )
    trade_in = factories.trade_in(eu, member, value="45.00")
    assert admin_post(f"/admin/trade-ins/{trade_in.id}/approve", {}, shop="eu").status_code == 303
    [email] = mailbox.messages()
    assert email.subject.startswith("Bitte bis ") and "{" not in email.subject
    assert "Danke, dass Sie bei uns eintauschen!" in email.text
    assert email.sender == "TESmart <members@tesmart.de>"
    assert (
        db.session.query(AuditLog).filter_by(shop_id=eu.id, action="settings.emails").count() == 1
    )


def test_a_subject_with_an_unknown_field_is_refused_and_nothing_is_saved(
    shops: Any, admin_post: Any
) -> None:
    eu = shops["eu"]
    response = admin_post(
        "/admin/emails",
        _form(eu, subject_trade_in_approved_de="Bis {deadline}", sender="nobody"),
        shop="eu",
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Use only the {fields}" in body and "Enter a sender address" in body
    db.session.refresh(eu)
    assert "emails" not in (eu.settings or {})


def test_the_preview_shows_the_demo_member_in_each_language(shops: Any, admin_get: Any) -> None:
    for locale, name in emails.DEMO_NAMES.items():
        response = admin_get("/admin/emails/trade_in_approved/preview", shop="jp", lang=locale)
        assert response.status_code == 200
        assert name in response.get_data(as_text=True)
    assert admin_get("/admin/emails/no_such_email/preview").status_code == 404


def test_the_dev_mailbox_lists_and_shows_what_was_sent(
    shops: Any, client: Any, mailbox: Any
) -> None:
    us = shops["us"]
    member = factories.member(
        us, "box@example.com", activated=datetime.now(UTC) - timedelta(days=5)
    )
    emails.queue_email(
        us,
        "reward_issued",
        "redemption:77",
        facts={"reward": "10%", "code": "TESMART-77", "points": 500},
        member_id=member.id,
    )

    db.session.commit()
    inbox = client.get("/dev/mail")
    assert inbox.status_code == 200 and "Your TESmart reward code" in inbox.get_data(as_text=True)
    [message] = mailbox.messages()
    shown = client.get(f"/dev/mail/{message.id}").get_data(as_text=True)
    assert "TESMART-77" in shown
    assert client.get("/dev/mail/..%2Fsecrets").status_code == 404
