"""A Shopify Flow trigger (``flowTriggerReceive``). Shopify takes no idempotency key for it, but a
repeat only starts the merchant's workflows again for the same event: the outbox row lock keeps
two workers from sending it at once, and the client does not repeat it after an ambiguous answer."""

from __future__ import annotations

from typing import Any

from plugin import outbox
from plugin.models import Shop
from plugin.shopify.client import AdminClient, user_errors


def receive(shop: Shop, payload: dict[str, Any], client: AdminClient) -> dict[str, Any]:
    data = client.execute(
        "FlowTriggerReceive", {"handle": payload["handle"], "payload": payload["payload"]}
    )
    errors = user_errors(data, "flowTriggerReceive")
    if errors:
        raise outbox.PermanentFailure("; ".join(str(e.get("message")) for e in errors))
    return {"handle": payload["handle"]}
