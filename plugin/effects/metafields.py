"""The app's customer metafields (plugin/reach/metafields.py): one ``metafieldsSet``
with the member's values as they are when it runs. Setting the same values again changes
nothing, so a repeat after a lost answer is harmless.

A job's writes for one shop go to Shopify up to ten members to a request (``write_many``): one
aliased document with a ``metafieldsSet`` field per member, so each member's write stays atomic
on its own and a refused one (its userErrors) fails alone, as Flow triggers do."""

from __future__ import annotations

from typing import Any

from plugin import outbox
from plugin.extensions import db
from plugin.models import Member, Shop
from plugin.reach.metafields import MAX_PER_CALL, metafields_input, metafields_inputs
from plugin.shopify.client import AdminClient, user_errors

Result = dict[str, Any] | outbox.PermanentFailure


def write(shop: Shop, payload: dict[str, Any], client: AdminClient) -> dict[str, Any]:
    member = db.session.get(Member, payload.get("member_id"))
    if member is None or member.redacted_at is not None:
        return {"skipped": "no_member"}
    metafields = metafields_input(shop, member)
    written = 0
    for start in range(0, len(metafields), MAX_PER_CALL):
        batch = metafields[start : start + MAX_PER_CALL]
        data = client.execute("MetafieldsSet", {"metafields": batch})
        _raise_refused(data)
        written += len(batch)
    return {"written": written}


def write_many(shop: Shop, payloads: list[dict[str, Any]], client: AdminClient) -> list[Result]:
    """``write`` for several members of the shop: their values read together, and every member
    whose metafields fit one call (at most 25: up to three linked customers) in one request. A
    member with more is written alone, as ``write`` writes it."""
    inputs = metafields_inputs(shop, [payload.get("member_id") for payload in payloads])
    results: list[Result | None] = [None] * len(payloads)
    together: list[tuple[int, list[dict[str, Any]]]] = []
    for index, payload in enumerate(payloads):
        member_id = payload.get("member_id")
        metafields = inputs.get(member_id) if isinstance(member_id, int) else None
        if metafields is None:
            results[index] = {"skipped": "no_member"}
        elif not metafields:
            results[index] = {"written": 0}
        elif len(metafields) > MAX_PER_CALL:
            try:
                results[index] = write(shop, payload, client)
            except outbox.PermanentFailure as refused:
                results[index] = refused
        else:
            together.append((index, metafields))
    if together:
        answers = client.execute_many(
            "MetafieldsSet", [{"metafields": metafields} for _, metafields in together]
        )
        for (index, metafields), data in zip(together, answers, strict=True):
            try:
                _raise_refused(data)
            except outbox.PermanentFailure as refused:
                results[index] = refused
            else:
                results[index] = {"written": len(metafields)}
    done = [result for result in results if result is not None]
    assert len(done) == len(payloads)  # each payload answered above
    return done


def _raise_refused(data: dict[str, Any]) -> None:
    errors = user_errors(data, "metafieldsSet")
    if errors:
        raise outbox.PermanentFailure("; ".join(str(e.get("message")) for e in errors))
