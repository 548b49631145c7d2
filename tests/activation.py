"""Activating a TESmart ID in a test the way the merchant does (POLICY.md 2): Shopify's
``verified_email`` is no proof, so a test that needs an activated ID says so."""

from __future__ import annotations

from datetime import datetime

from plugin.accounts import activate, get_or_create_member
from plugin.extensions import db


def activated(email: str, at: str, source: str = "merchant") -> None:
    member = get_or_create_member(email)
    assert member is not None, email
    activate(member, datetime.fromisoformat(at.replace("Z", "+00:00")), source)
    db.session.commit()
