"""The app's customer metafields (plugin/reach/metafields.py): one ``metafieldsSet``
with the member's values as they are when it runs. Setting the same values again changes
nothing, so a repeat after a lost answer is harmless.

A job's writes for one shop go to Shopify up to ten members to a request (``write_many``): one
aliased document with a ``metafieldsSet`` field per member, so each member's write stays atomic
on its own and a refused one (its userErrors) fails alone, as Flow triggers do."""

from __future__ import annotations

from typing import Any

from plugin import outbox
from plugin.models import Shop
from plugin.reach.metafields import MAX_PER_CALL, metafields_inputs
from plugin.shopify.client import AdminClient, user_errors

Result = dict[str, Any] | outbox.PermanentFailure


def write(shop: Shop, payload: dict[str, Any], client: AdminClient) -> dict[str, Any]:
    (result,) = write_many(shop, [payload], client)
    if isinstance(result, outbox.PermanentFailure):
        raise result
    return result


def write_many(shop: Shop, payloads: list[dict[str, Any]], client: AdminClient) -> list[Result]:
    """The members' metafields, their values read together: every member whose metafields fit
    one call (at most 25: up to three linked customers) in one request, a member with more in
    calls of its own. A member gone or redacted is skipped."""
    inputs = metafields_inputs(shop, [payload.get("member_id") for payload in payloads])
    results: dict[int, Result] = {}
    together: list[tuple[int, list[dict[str, Any]]]] = []
    for index, payload in enumerate(payloads):
        member_id = payload.get("member_id")
        metafields = inputs.get(member_id) if isinstance(member_id, int) else None
        if metafields is None:
            results[index] = {"skipped": "no_member"}
        elif metafields and len(metafields) <= MAX_PER_CALL:
            together.append((index, metafields))
        else:
            try:
                results[index] = _set_alone(client, metafields)
            except outbox.PermanentFailure as refused:
                results[index] = refused
    if together:
        answers = client.execute_many("MetafieldsSet", [{"metafields": m} for _, m in together])
        for (index, metafields), data in zip(together, answers, strict=True):
            results[index] = _refusal(data) or {"written": len(metafields)}
    return [results[index] for index in range(len(payloads))]


def _set_alone(client: AdminClient, metafields: list[dict[str, Any]]) -> dict[str, Any]:
    """One member's metafields, MAX_PER_CALL to a call."""
    for start in range(0, len(metafields), MAX_PER_CALL):
        batch = metafields[start : start + MAX_PER_CALL]
        refused = _refusal(client.execute("MetafieldsSet", {"metafields": batch}))
        if refused is not None:
            raise refused
    return {"written": len(metafields)}


def _refusal(data: dict[str, Any]) -> outbox.PermanentFailure | None:
    errors = user_errors(data, "metafieldsSet")
    if not errors:
        return None
    return outbox.PermanentFailure("; ".join(str(e.get("message")) for e in errors))
