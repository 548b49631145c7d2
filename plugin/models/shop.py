"""The four regional stores, each its own Shopify shop with its own install and settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from plugin import clock
from plugin.extensions import Model
from plugin.models.types import BigId, UTCDateTime


class Shop(Model):
    __tablename__ = "shops"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    domain: Mapped[str] = mapped_column(String(255), unique=True)  # tesmart-us.myshopify.com
    name: Mapped[str] = mapped_column(String(255), default="")
    region: Mapped[str] = mapped_column(String(8))  # us | eu | jp | kr
    currency: Mapped[str] = mapped_column(String(3))
    locale: Mapped[str] = mapped_column(String(8))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    storefront_host: Mapped[str | None] = mapped_column(String(255))  # tesmart.com
    installed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    uninstalled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scopes: Mapped[str] = mapped_column(Text, default="")
    # Offline, expiring tokens from token exchange; Fernet-encrypted at rest.
    access_token_enc: Mapped[str | None] = mapped_column(Text)
    access_token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refresh_token_enc: Mapped[str | None] = mapped_column(Text)
    refresh_token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the refresh token is dead (expired, revoked): Admin API work waits until the
    # merchant's next open of the app repeats the token exchange.
    reauthorization_needed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    integration_secret_enc: Mapped[str | None] = mapped_column(Text)  # review-app integration
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Moved by every write of the shop's campaigns, in its transaction: a process's cached copy
    # of the campaigns (plugin.points.campaigns.campaigns_in_force) is good while it matches.
    campaigns_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_reconciled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Per stream ("orders", "customers"): {"since": ISO instant, "after": page cursor or null}.
    reconcile_cursors: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    @property
    def installed(self) -> bool:
        return self.uninstalled_at is None

    @property
    def handle(self) -> str:
        return self.domain.removesuffix(".myshopify.com")

    def __repr__(self) -> str:
        return f"<Shop {self.domain} {self.region}>"
