"""What the app told members: one row per transactional email it tried to hand to SMTP."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plugin import clock
from plugin.extensions import Model
from plugin.models.types import BigId, UTCDateTime


class EmailDelivery(Model):
    """The durable "about to send" mark of one email (its outbox key), committed on a connection
    of its own before the SMTP conversation starts, so that a worker that dies after the server
    accepted the message leaves the mark behind and the retry does not send it again
    (plugin/effects/email.py). No address or text is kept here: only what was sent and when."""

    __tablename__ = "email_deliveries"
    __table_args__ = (UniqueConstraint("shop_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    idempotency_key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(16))  # sending | sent
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
