"""One transactional email through SMTP, at most once.

SMTP has no idempotency key: a server that accepted a message cannot be asked whether it did, and
sending again after a lost answer delivers a second copy. Exactly-once is therefore not on offer;
the choice is between at-least-once (retry whenever unsure: duplicates after a crash) and
at-most-once (never retry when unsure: a rare lost email). A member's email here repeats what the
widget and the account page already show (a code, a date, a decision), so a duplicate costs trust
while a lost one costs little: at-most-once, with the window of doubt made as small as SMTP allows.

1. The outbox row: one item per event (``UNIQUE(shop, idempotency_key)``), performed under the
   item's row lock, so two workers never send it at once.
2. Before the SMTP conversation an ``EmailDelivery`` row in state ``sending`` is committed on a
   connection of its own (``UNIQUE(shop, idempotency_key)``). After the server accepted the message
   it becomes ``sent``. A retry that finds ``sending`` (a worker that died after the send, before
   the outbox commit) does not send again: the item fails with a reason a person can read.
3. A failure that certainly happened before the server accepted the message (no connection, TLS or
   login refused, the sender or recipient refused, a 4xx/5xx answer to the message) removes the
   mark and is retried with the outbox's back-off. A connection lost mid-conversation is ambiguous
   and is not retried.

The Message-ID is derived from the key, so a mail system that deduplicates by it (and a person
reading two copies) can see that they are one message.
"""

from __future__ import annotations

import contextlib
import hashlib
import smtplib
from email.utils import parseaddr
from typing import Any

from flask_mailman import EmailMultiAlternatives
from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from plugin import clock, outbox
from plugin.extensions import db
from plugin.mail import mail
from plugin.models import EmailDelivery, Shop
from plugin.reach import emails
from plugin.shopify.client import AdminApiError


class SmtpUnavailable(AdminApiError):
    """The message certainly did not reach the server; the outbox retries it with back-off."""

    transient = True


def _message_id(shop: Shop, key: str, sender: str) -> str:
    digest = hashlib.sha256(f"{shop.id}:{key}".encode()).hexdigest()[:32]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "tesmart.invalid"
    return f"<{digest}@{domain}>"


def _take_mark(shop: Shop, key: str, kind: str, locale: str) -> str | None:
    """Commit the ``sending`` mark on a connection of its own (it must outlive this worker).
    None when it was written now; else the state an earlier attempt left."""
    dialect = db.engine.dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(EmailDelivery)
        .values(
            shop_id=shop.id,
            idempotency_key=key,
            kind=kind,
            locale=locale,
            state="sending",
            created_at=clock.now(),
        )
        .on_conflict_do_nothing(index_elements=["shop_id", "idempotency_key"])
        .returning(EmailDelivery.id)
    )
    with db.engine.begin() as connection:
        if connection.execute(statement).scalar_one_or_none() is not None:
            return None
        return (
            connection.execute(
                select(EmailDelivery.state).where(
                    EmailDelivery.shop_id == shop.id, EmailDelivery.idempotency_key == key
                )
            ).scalar_one_or_none()
            or "sending"
        )


def _set_mark(shop: Shop, key: str, state: str | None) -> None:
    where = (EmailDelivery.shop_id == shop.id, EmailDelivery.idempotency_key == key)
    with db.engine.begin() as connection:
        if state is None:
            connection.execute(delete(EmailDelivery).where(*where))
        else:
            connection.execute(
                update(EmailDelivery).where(*where).values(state=state, sent_at=clock.now())
            )


def send(shop: Shop, payload: dict[str, Any], client: Any) -> dict[str, Any]:
    key, kind, locale = str(payload["key"]), str(payload["kind"]), str(payload["locale"])
    if not emails.is_on(shop, kind):
        return {"skipped": "turned_off"}
    address, name = emails.recipient(shop, payload)
    if not address:
        return {"skipped": "no_address"}
    content = emails.rendered(shop, kind, locale, payload.get("facts") or {}, name)
    sender = emails.email_settings(shop)["sender"]
    message = EmailMultiAlternatives(
        subject=content.subject,
        body=content.text,
        from_email=sender,
        to=[address],
        headers={"Message-ID": _message_id(shop, key, sender), "X-TESmart-Email": kind},
    )
    message.attach_alternative(content.html, "text/html")

    earlier = _take_mark(shop, key, kind, locale)
    if earlier == "sent":
        return {"sent": True, "earlier": True}
    if earlier is not None:
        raise outbox.PermanentFailure(
            "an earlier attempt may have sent this email (it was handed to SMTP and no "
            "confirmation was recorded); it is not sent twice"
        )
    connection = mail.get_connection()
    try:
        connection.open()
    except OSError as exc:  # no connection, TLS or login refused: nothing was sent
        _set_mark(shop, key, None)
        raise SmtpUnavailable(f"SMTP: {exc}", retry_after=60) from exc
    try:
        connection.send_messages([message])
    except smtplib.SMTPRecipientsRefused as exc:  # the server refused the address: never accepted
        _set_mark(shop, key, None)
        raise outbox.PermanentFailure(f"SMTP refused the recipient: {exc.recipients!r}") from exc
    except smtplib.SMTPResponseException as exc:  # the server answered and refused the message
        _set_mark(shop, key, None)
        if 500 <= exc.smtp_code < 600:
            raise outbox.PermanentFailure(
                f"SMTP refused the message: {exc.smtp_code} {exc.smtp_error!r}"
            ) from exc
        raise SmtpUnavailable(f"SMTP: {exc}", retry_after=60) from exc
    except OSError as exc:  # the connection broke mid-conversation: it may have been accepted
        raise outbox.PermanentFailure(
            f"SMTP connection lost while sending ({exc}); the email may have been delivered and is "
            "not sent twice"
        ) from exc
    finally:
        with contextlib.suppress(OSError):
            connection.close()
    _set_mark(shop, key, "sent")
    return {"sent": True, "kind": kind, "locale": locale}
