"""The app's customer metafields (plugin/reach/metafields.py): one ``metafieldsSet``
with the member's values as they are when it runs. Setting the same values again changes
nothing, so a repeat after a lost answer is harmless."""

from __future__ import annotations

from typing import Any

from plugin import outbox
from plugin.extensions import db
from plugin.models import Member, Shop
from plugin.reach.metafields import MAX_PER_CALL, metafields_input
from plugin.shopify.client import AdminClient, user_errors


def write(shop: Shop, payload: dict[str, Any], client: AdminClient) -> dict[str, Any]:
    member = db.session.get(Member, payload.get("member_id"))
    if member is None or member.redacted_at is not None:
        return {"skipped": "no_member"}
    metafields = metafields_input(shop, member)
    written = 0
    for start in range(0, len(metafields), MAX_PER_CALL):
        batch = metafields[start : start + MAX_PER_CALL]
        data = client.execute("MetafieldsSet", {"metafields": batch})
        errors = user_errors(data, "metafieldsSet")
        if errors:
            raise outbox.PermanentFailure("; ".join(str(e.get("message")) for e in errors))
        written += len(batch)
    return {"written": written}
