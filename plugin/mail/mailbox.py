"""The local mailbox of dev mode: a Flask-Mailman backend that keeps each message as an ``.eml``
file under ``DEV_MAILBOX`` (``instance/mail``), which ``/dev/mail`` lists. Files, so that a
message sent by a worker process shows up in the web process too."""

from __future__ import annotations

import email
import email.policy
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from flask_mailman.backends.base import BaseEmailBackend


def mailbox_dir() -> Path:
    return Path(current_app.config["DEV_MAILBOX"])


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Any) -> int:
        folder = mailbox_dir()
        folder.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            name = f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}.eml"
            (folder / name).write_bytes(message.message().as_bytes())
            sent += 1
        return sent


@dataclass(frozen=True)
class StoredMessage:
    id: str
    subject: str
    sender: str
    to: str
    date: str
    text: str
    html: str
    headers: dict[str, str]


def messages() -> list[StoredMessage]:
    """Newest first."""
    folder = mailbox_dir()
    if not folder.is_dir():
        return []
    return [_read(path) for path in sorted(folder.glob("*.eml"), reverse=True)]


def message(message_id: str) -> StoredMessage | None:
    if not message_id.replace("-", "").isalnum():
        return None
    path = mailbox_dir() / f"{message_id}.eml"
    return _read(path) if path.is_file() else None


def _read(path: Path) -> StoredMessage:
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    text_part = parsed.get_body(("plain",))
    html_part = parsed.get_body(("html",))
    return StoredMessage(
        id=path.stem,
        subject=str(parsed["Subject"] or ""),
        sender=str(parsed["From"] or ""),
        to=str(parsed["To"] or ""),
        date=str(parsed["Date"] or ""),
        text=text_part.get_content() if text_part is not None else "",
        html=html_part.get_content() if html_part is not None else "",
        headers={key: str(value) for key, value in parsed.items()},
    )
