"""Who campaigns are for (POLICY.md 3): activated members, activated by the time of the order."""

from __future__ import annotations

from datetime import datetime


def campaign_applies(activated_at: datetime | None, membership_state: str, at: datetime) -> bool:
    """Points multipliers, member-only offers and gifts go to an open membership whose TESmart ID
    was activated no later than ``at`` (the order's time, so a late webhook decides the same)."""
    return membership_state == "open" and activated_at is not None and activated_at <= at
