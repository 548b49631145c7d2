"""A VIP tier's free-shipping perk at Shopify (issue 19): ``tier_perk.free_shipping`` makes the
member's code of one tier period (DiscountCodeFreeShippingCreate, for that customer only, until the
period's end); ``tier_perk.free_shipping_end`` ends it when the member moves out of the tier.

The code is derived from the member, tier and period (``tiers.perk_code``), so a retry after a
crash between Shopify's answer and the commit is answered ``TAKEN`` and the existing code is taken
as made: one code per member and period however often the job runs. Once made, the member
gets the ``tier_perk`` email with the code and its last day. The gift perk is an
``order.tag`` item (plugin/effects/tags.py), like a gift campaign's.
"""

from __future__ import annotations

from typing import Any

from plugin import clock, outbox
from plugin.effects.discount_codes import find_code
from plugin.models import OutboxItem, Shop
from plugin.reach.emails import queue_email
from plugin.rewards.redemptions import customer_gid
from plugin.shopify.client import AdminClient, user_errors

# A perk is the member's own: it stacks with the member's reward code like any shipping discount.
COMBINES_WITH = {"orderDiscounts": True, "productDiscounts": True, "shippingDiscounts": False}


def perk_title(payload: dict[str, Any]) -> str:
    return f"TESmart {payload['tier_name']}: free shipping ({payload['code']})"[:255]


def _made(shop: Shop, item: OutboxItem, result: dict[str, Any]) -> None:
    """The code exists: the member is told it once (its own outbox item, keyed by the code)."""
    payload = item.payload or {}
    if not payload.get("last_day"):
        return  # a tier without a period end: the widget shows the code (no end date to announce)

    queue_email(
        shop,
        "tier_perk",
        f"tier-perk:{payload['code']}",
        facts={
            "tier": payload["tier_name"],
            "code": payload["code"],
            "expires_on": payload["last_day"],
        },
        member_id=payload.get("member_id"),
        customer_id=payload.get("customer_id"),
    )


def create_free_shipping(
    shop: Shop, payload: dict[str, Any], client: AdminClient
) -> dict[str, Any]:
    variables = {
        "title": perk_title(payload),
        "code": payload["code"],
        "startsAt": clock.now().isoformat(),
        "endsAt": payload.get("ends_at"),
        "customerIds": [customer_gid(payload["customer_id"])],
        "usageLimit": None,
        "combinesWith": COMBINES_WITH,
    }
    data = client.execute("DiscountCodeFreeShippingCreate", variables)
    errors = user_errors(data, "discountCodeFreeShippingCreate")
    if not errors:
        node = (data.get("discountCodeFreeShippingCreate") or {}).get("codeDiscountNode") or {}
        if not node.get("id"):
            raise outbox.PermanentFailure("discountCodeFreeShippingCreate returned no discount")
        return {"node_id": node["id"], "code": payload["code"]}
    if any(error.get("code") == "TAKEN" for error in errors):
        found = find_code(client, payload["code"])
        if found is not None and (found.get("codeDiscount") or {}).get("title") == perk_title(
            payload
        ):
            return {"node_id": found["id"], "code": payload["code"], "found_existing": True}
        raise outbox.PermanentFailure(f"code {payload['code']} is taken by another discount")
    raise outbox.PermanentFailure(
        "discountCodeFreeShippingCreate: "
        + "; ".join(f"{e.get('code')}: {e.get('message')}" for e in errors)
    )


def end_free_shipping(shop: Shop, payload: dict[str, Any], client: AdminClient) -> dict[str, Any]:
    found = find_code(client, payload["code"])
    if found is None:
        # Never made (the member left the tier before the create ran, and it failed): nothing to
        # end.
        return {"deactivated": False, "reason": "not_found"}
    data = client.execute("DiscountCodeDeactivate", {"id": found["id"]})
    errors = user_errors(data, "discountCodeDeactivate")
    if errors:
        raise outbox.PermanentFailure(
            "discountCodeDeactivate: " + "; ".join(str(e.get("message")) for e in errors)
        )
    return {"deactivated": True, "node_id": found["id"]}
