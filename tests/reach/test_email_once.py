"""Each email is sent at most once: a crash between the send and the commit sends no second one,
a failure before the server accepted the message is retried, an ambiguous one is not."""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from plugin import outbox
from plugin.extensions import db
from plugin.jobs import run_outbox_item
from plugin.models import EmailDelivery, OutboxItem
from plugin.reach import emails
from tests.admin import factories


class WorkerKilled(BaseException):
    """The process dies: nothing after this line of the job runs, no except clause catches it."""


def _queued(shop: Any) -> int:
    member = factories.member(
        shop, "once@example.com", activated=datetime.now(UTC) - timedelta(days=3)
    )
    emails.queue_email(
        shop,
        "reward_issued",
        "redemption:1",
        facts={"reward": "10%", "code": "TESMART-ONE", "points": 500},
        member_id=member.id,
    )
    outbox.leave_to_sweep()  # run by hand below, as a worker would
    db.session.commit()
    return db.session.query(OutboxItem).filter_by(kind="email.send").one().id


# The mark is committed on a connection of its own and must outlive the crashed transaction.
@pytest.mark.commits
def test_a_crash_between_the_send_and_the_commit_sends_no_second_email(
    shops: Any, mailbox: Any, monkeypatch: Any
) -> None:
    item_id = _queued(shops["us"])
    real_set_mark = __import__("plugin.effects.email", fromlist=["_set_mark"])._set_mark

    def die_after_sending(shop: Any, key: str, state: Any) -> None:
        if state == "sent":  # the server has the message; the worker dies before recording it
            raise WorkerKilled()
        real_set_mark(shop, key, state)

    from plugin.effects import email as effect

    monkeypatch.setattr(effect, "_set_mark", die_after_sending)
    with pytest.raises(WorkerKilled):
        run_outbox_item(item_id)
    db.session.rollback()
    assert len(mailbox.messages()) == 1
    assert db.session.get(OutboxItem, item_id).state == "pending"  # the done mark never committed

    monkeypatch.setattr(effect, "_set_mark", real_set_mark)
    assert run_outbox_item(item_id) == "failed"  # the sweep's retry
    assert len(mailbox.messages()) == 1
    item = db.session.get(OutboxItem, item_id)
    assert "may have sent" in item.last_error


def test_a_retry_after_the_recorded_send_does_not_send_again(shops: Any, mailbox: Any) -> None:
    item_id = _queued(shops["us"])
    assert run_outbox_item(item_id) == "done"
    item = db.session.get(OutboxItem, item_id)
    item.state = "pending"  # as if the done mark had been lost
    db.session.commit()
    assert run_outbox_item(item_id) == "done"
    assert len(mailbox.messages()) == 1
    assert db.session.query(EmailDelivery).one().state == "sent"


class RefusingBackend:
    """An SMTP server that answers the message with a temporary refusal: nothing was accepted."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def open(self) -> bool:
        return True

    def close(self) -> None:
        pass

    def send_messages(self, messages: Any) -> int:
        raise smtplib.SMTPDataError(451, b"try again later")


class DroppingBackend(RefusingBackend):
    """The connection breaks after the message went out: the server may have accepted it."""

    def send_messages(self, messages: Any) -> int:
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_a_refused_message_is_retried_and_sent_once(
    shops: Any, mailbox: Any, monkeypatch: Any
) -> None:
    from plugin.mail import mail

    item_id = _queued(shops["us"])
    monkeypatch.setattr(mail, "get_connection", lambda *a, **k: RefusingBackend())
    assert run_outbox_item(item_id) == "retry"
    assert db.session.query(EmailDelivery).count() == 0  # the mark is gone: it may be sent later
    monkeypatch.undo()
    item = db.session.get(OutboxItem, item_id)
    item.next_attempt_at = datetime.now(UTC)
    db.session.commit()
    assert run_outbox_item(item_id) == "done"
    assert len(mailbox.messages()) == 1


def test_a_connection_lost_mid_send_is_not_retried(
    shops: Any, mailbox: Any, monkeypatch: Any
) -> None:
    from plugin.mail import mail

    item_id = _queued(shops["us"])
    monkeypatch.setattr(mail, "get_connection", lambda *a, **k: DroppingBackend())
    assert run_outbox_item(item_id) == "failed"
    assert "may have been delivered" in db.session.get(OutboxItem, item_id).last_error
    monkeypatch.undo()
    db.session.commit()
    assert run_outbox_item(item_id) == "skipped"
    assert mailbox.messages() == []
