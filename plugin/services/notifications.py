"""What a program event tells the member and the merchant's tools, in the event's transaction:
a transactional email (plugin/services/emails.py), a Shopify Flow trigger
(plugin/services/flow_triggers.py) and fresh customer metafields
(plugin/services/customer_metafields.py). Each is an outbox item keyed by the event, so running
the event's code twice tells nobody twice.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from plugin.extensions import db
from plugin.models import Device, Member, Shop, ShopCustomer, TradeIn
from plugin.services import customer_metafields, emails, flow_triggers

# The trade-in action that moved the state -> the email it sends (POLICY.md 5).
TRADE_IN_EMAILS = {
    "apply": "trade_in_quoted",
    "approve": "trade_in_approved",
    "pay": "trade_in_paid",
    "inspect_adjusted": "trade_in_adjusted",
    "revoke": "trade_in_revoked",
    "inspect_revoked": "trade_in_revoked",
}


def customer_of(shop: Shop, member_id: int | None) -> str | None:
    if member_id is None:
        return None
    return db.session.execute(
        select(ShopCustomer.customer_id)
        .where(ShopCustomer.shop_id == shop.id, ShopCustomer.member_id == member_id)
        .order_by(ShopCustomer.id)
        .limit(1)
    ).scalar_one_or_none()


def _number(value: Decimal | int | None) -> float | int:
    if value is None:
        return 0
    return int(value) if isinstance(value, int) else float(value)


def trade_in_changed(
    shop: Shop, trade_in: TradeIn, before: str | None, action: str, event_id: int, data: dict[str, Any]
) -> None:
    """A trade-in moved from ``before`` to its state by ``action`` (its TradeInEvent ``event_id``)."""
    customer_id = customer_of(shop, trade_in.member_id)
    key = f"trade_in:{trade_in.id}:{event_id}"
    flow_triggers.send_trigger(shop, "tesmart-trade-in-changed", key, customer_id, {
        "Trade in": str(trade_in.id),
        "State": trade_in.state,
        "Previous state": before or "",
        "Value": _number(trade_in.value),
        "Currency": trade_in.currency,
        "Ship by": trade_in.ship_by.isoformat() if trade_in.ship_by else "",
    })
    kind = TRADE_IN_EMAILS.get(action)
    if kind is None:
        return
    device = db.session.get(Device, trade_in.device_id)
    facts: dict[str, Any] = {
        "device": (device.title if device is not None and device.shop_id == shop.id else None) or "TESmart",
        "value": trade_in.value if trade_in.value is not None else Decimal(0),
        "currency": trade_in.currency,
    }
    if kind == "trade_in_approved":
        facts["ship_by"] = trade_in.ship_by
    if kind == "trade_in_paid":
        facts["value"] = data.get("amount", facts["value"])
    if kind == "trade_in_adjusted":
        facts["value_before"] = data.get("value_before") if data.get("value_before") is not None else facts["value"]
    emails.queue_email(shop, kind, key, facts=facts, member_id=trade_in.member_id, customer_id=customer_id)


def points_moved(shop_id: int, member_id: int, delta: int, kind: str, cause_key: str) -> None:
    """A ledger entry was written: the metafields follow the balance; an earning starts Flow."""
    shop = db.session.get(Shop, shop_id)
    if shop is None:
        return
    customer_metafields.touch(shop, member_id)
    if delta > 0 and kind not in ("redemption_refund", "import"):
        from plugin.services.ledger import balance

        flow_triggers.send_trigger(shop, "tesmart-points-earned", cause_key, customer_of(shop, member_id), {
            "Points": delta, "Balance": balance(shop_id, member_id), "Reason": kind,
        })


def member_activated(member: Member, source: str) -> None:
    """A TESmart ID was activated: Flow and the metafields in every shop the member buys from."""
    from plugin.services.members import cohort_of

    if source == "import":  # the old program's members were active already; no event
        return
    rows = db.session.execute(
        select(Shop, ShopCustomer.customer_id)
        .join(ShopCustomer, ShopCustomer.shop_id == Shop.id)
        .where(ShopCustomer.member_id == member.id)
    ).all()
    cohort = cohort_of(member)
    for shop, customer_id in rows:
        customer_metafields.touch(shop, member.id)
        flow_triggers.send_trigger(shop, "tesmart-id-activated", f"member:{member.id}", customer_id, {
            "Cohort": cohort.value if cohort is not None else "",
            "Member since": member.registered_at.date().isoformat() if member.registered_at else "",
        })
