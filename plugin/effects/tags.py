"""Tags on Shopify resources (gift-with-purchase orders): TagsAdd is idempotent by nature."""

from __future__ import annotations

from typing import Any

from plugin import outbox
from plugin.models import Shop
from plugin.shopify.client import AdminClient, user_errors


def add_tags(shop: Shop, payload: dict[str, Any], client: AdminClient) -> dict[str, Any]:
    # Adding a tag that is already there changes nothing, so a retry after a crash is harmless.
    data = client.execute("TagsAdd", {"id": payload["id"], "tags": payload["tags"]})
    errors = user_errors(data, "tagsAdd")
    if errors:
        raise outbox.PermanentFailure("; ".join(str(e.get("message")) for e in errors))
    return {"id": payload["id"], "tags": payload["tags"]}
