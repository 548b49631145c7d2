"""A Shopify Flow trigger (``flowTriggerReceive``). Shopify takes no idempotency key for it, but a
repeat only starts the merchant's workflows again for the same event: the outbox row lock keeps
two workers from sending it at once, and the client does not repeat it after an ambiguous answer.

Every paid order owes one, so a job's triggers for one shop go to Shopify up to ten to a request
(``receive_many``: one aliased document, each trigger with its own answer). Flow asks nothing
more of a trigger than of any Admin API call (the same rate limits, a payload under 1 MB each),
and a trigger refused (its userErrors) fails alone."""

from __future__ import annotations

from typing import Any

from plugin import outbox
from plugin.models import Shop
from plugin.shopify.client import AdminClient, user_errors


def receive_many(
    shop: Shop, payloads: list[dict[str, Any]], client: AdminClient
) -> list[dict[str, Any] | outbox.PermanentFailure]:
    answers = client.execute_many(
        "FlowTriggerReceive",
        [{"handle": payload["handle"], "payload": payload["payload"]} for payload in payloads],
    )
    results: list[dict[str, Any] | outbox.PermanentFailure] = []
    for payload, data in zip(payloads, answers, strict=True):
        errors = user_errors(data, "flowTriggerReceive")
        results.append(
            outbox.PermanentFailure("; ".join(str(e.get("message")) for e in errors))
            if errors
            else {"handle": payload["handle"]}
        )
    return results


def receive(shop: Shop, payload: dict[str, Any], client: AdminClient) -> dict[str, Any]:
    data = client.execute(
        "FlowTriggerReceive", {"handle": payload["handle"], "payload": payload["payload"]}
    )
    errors = user_errors(data, "flowTriggerReceive")
    if errors:
        raise outbox.PermanentFailure("; ".join(str(e.get("message")) for e in errors))
    return {"handle": payload["handle"]}
