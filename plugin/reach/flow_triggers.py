"""Shopify Flow triggers: one ``flow_trigger`` extension per event (``extensions/flow-*``), sent
with ``flowTriggerReceive`` through the outbox (effect ``flow.trigger``), once per event key.

The payload names the customer (``customer_id``, the extension's ``customer_reference`` field)
and the figures under the keys the extension's ``[[settings.fields]]`` declare (Flow allows letters
and spaces only in them). tests/extensions/test_flow_extensions.py holds every trigger sent here to
its extension's declared fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from plugin import outbox
from plugin.models import Shop

EFFECT = outbox.EffectKind.FLOW_TRIGGER.value

# handle -> the field keys its extension declares (besides the customer reference).
TRIGGERS: dict[str, tuple[str, ...]] = {
    "tesmart-points-earned": ("Points", "Balance", "Reason"),
    "tesmart-reward-issued": ("Reward", "Code", "Points spent"),
    "tesmart-points-expiring": ("Points expiring", "Expiry date", "Balance"),
    "tesmart-id-activated": ("Cohort", "Member since"),
    "tesmart-trade-in-changed": (
        "Trade in",
        "State",
        "Previous state",
        "Value",
        "Currency",
        "Ship by",
    ),
    "tesmart-warranty-decided": ("Claim", "Decision", "Device"),
    "tesmart-ctrl-f-selected": ("Program", "Code", "Feedback due"),
}


def send_trigger(
    shop: Shop, handle: str, key: str, customer_id: str | None, fields: Mapping[str, Any]
) -> int | None:
    """Queue trigger ``handle`` for ``customer_id`` once per event ``key``; None without a
    customer (Flow's customer reference is required) or when the key was used."""
    item = trigger_item(shop.id, handle, key, customer_id, fields)
    return None if item is None else outbox.add(shop.id, EFFECT, item.idempotency_key, item.payload)


def trigger_item(
    shop_id: int, handle: str, key: str, customer_id: str | None, fields: Mapping[str, Any]
) -> outbox.NewItem | None:
    """The outbox item ``send_trigger`` writes (for ``outbox.add_many``); None without a
    customer."""
    declared = TRIGGERS[handle]
    unknown = set(fields) - set(declared)
    if unknown:
        raise KeyError(f"{handle} declares no field {sorted(unknown)}")
    if not customer_id or not str(customer_id).isdigit():
        return None
    payload: dict[str, Any] = {"customer_id": int(customer_id)}
    for name in declared:
        value = fields.get(name)
        payload[name] = (
            ""
            if value is None
            else (value if isinstance(value, int | float | bool) else str(value))
        )
    return outbox.NewItem(
        shop_id, EFFECT, f"flow:{handle}:{key}", {"handle": handle, "payload": payload}
    )
