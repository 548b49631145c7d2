"""The merchant's workflow (POLICY.md 5, steps 3 to 6): approve, shipped, received, inspected,
revoked, and the expiry of recovery trade-ins not shipped in time."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from plugin import clock
from plugin.benefits.devices import store_today
from plugin.benefits.tradeins.errors import (
    InvalidTradeInInput,
    TradeInNotFound,
    TradeInTransitionError,
    ValueAbovePrice,
    ValueAboveQuote,
)
from plugin.benefits.tradeins.forms import parse_money, text_field
from plugin.benefits.tradeins.payouts import send_payout
from plugin.benefits.tradeins.trail import (
    check_payout_method,
    lock_trade_in,
    next_state,
    transition,
)
from plugin.database.transaction import unit_of_work
from plugin.extensions import db
from plugin.models import Device, Member, Shop, TradeIn, TradeInEvent
from plugin.points.orders import TRADE_IN_REFUND_NOTE
from plugin.program.benefits.tradein import recovery_shipment_overdue
from plugin.program.benefits.tradein_workflow import TradeInAction, TradeInState
from plugin.program.policies import TradeInKind
from plugin.shops.settings import program_settings

log = logging.getLogger(__name__)
A, S = TradeInAction, TradeInState


def value_bounds(shop: Shop, trade_in: TradeIn) -> tuple[Decimal | None, Decimal | None]:
    """(the quote, the amount paid for the device): what an approval may give without a second
    look, and what no approval or inspection may exceed."""
    quoted: Decimal | None = trade_in.value
    if trade_in.state != S.APPLIED:
        stamp = db.session.execute(
            select(TradeInEvent.data)
            .where(
                TradeInEvent.shop_id == shop.id,
                TradeInEvent.trade_in_id == trade_in.id,
                TradeInEvent.to_state == S.APPROVED.value,
                TradeInEvent.from_state == S.APPLIED.value,
            )
            .order_by(TradeInEvent.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        if stamp and stamp.get("value_quoted") not in (None, ""):
            quoted = Decimal(str(stamp["value_quoted"]))
    device = db.session.get(Device, trade_in.device_id)
    paid = device.amount_paid if device is not None and device.shop_id == shop.id else None
    return quoted, paid


def _check_value(
    shop: Shop, trade_in: TradeIn, value: Decimal, *, reason: str | None, confirmed: bool
) -> None:
    quoted, paid = value_bounds(shop, trade_in)
    if paid is not None and value > paid:
        raise ValueAbovePrice(paid, trade_in.currency)
    if quoted is not None and value > quoted and (not reason or not confirmed):
        raise ValueAboveQuote(quoted, value, trade_in.currency, reason_missing=not reason)


def approve(
    shop: Shop,
    trade_in_id: int,
    actor: str,
    value: object = None,
    *,
    reason: str | None = None,
    confirmed: bool = False,
) -> TradeIn:
    """applied → approved; the merchant may set the recovery value (step 3). Starts the shipping
    deadline of a recovery trade-in.

    The quote bounds the value: above it the merchant gives a reason and confirms a second time,
    and no value exceeds what the member paid for the device (a typo must not become store credit).
    """
    reason = (reason or "").strip()[:500] or None
    with unit_of_work():
        trade_in = lock_trade_in(shop, trade_in_id)
        next_state(trade_in.kind, trade_in.state, A.APPROVE)
        data: dict[str, Any] = {}
        if value is not None:
            if trade_in.kind != TradeInKind.RECOVERY_VALUE:
                raise InvalidTradeInInput(
                    "Only a recovery value can be set; a discount is fixed by the policy."
                )
            new_value = parse_money(value, trade_in.currency)
            _check_value(shop, trade_in, new_value, reason=reason, confirmed=confirmed)
            data = {"value_quoted": trade_in.value, "value": new_value}
            if reason:
                data["reason"] = reason
            trade_in.value = new_value
        if trade_in.kind == TradeInKind.RECOVERY_VALUE:
            days = program_settings(shop).trade_in_ship_within_days
            trade_in.ship_by = store_today(shop) + timedelta(days=days)
            data["ship_by"] = trade_in.ship_by
        transition(shop, trade_in, A.APPROVE, actor, note=reason, data=data)
    return trade_in


def mark_shipped(
    shop: Shop,
    trade_in_id: object,
    actor: str,
    tracking_number: object,
    carrier: object = None,
    *,
    member: Member | None = None,
    today: date | None = None,
) -> TradeIn:
    """approved → shipped with the parcel's tracking number (the member, or the merchant for them).

    Past the shipping deadline the trade-in expires instead (step 5) and TradeInTransitionError
    says so.
    """
    tracking = text_field(tracking_number, "tracking_number", 128)
    carrier_text = text_field(carrier, "carrier", 64) if carrier not in (None, "") else None
    today = today or store_today(shop)
    expired = False
    with unit_of_work():
        trade_in = lock_trade_in(shop, trade_in_id)
        if member is not None and trade_in.member_id != member.id:
            raise TradeInNotFound()
        if trade_in.state == S.APPROVED and _overdue(shop, trade_in, today):
            _expire(shop, trade_in)
            expired = True
        else:
            transition(
                shop,
                trade_in,
                A.SHIP,
                actor,
                data={"tracking_number": tracking, "carrier": carrier_text},
            )
            trade_in.tracking_number = tracking
            trade_in.carrier = carrier_text
    if expired:
        raise TradeInTransitionError(
            trade_in.kind,
            S.EXPIRED,
            A.SHIP,
            "The shipping deadline has passed; the trade-in has expired.",
        )
    return trade_in


def mark_received(shop: Shop, trade_in_id: int, actor: str) -> TradeIn:
    """paid → received: the parcel is at the warehouse, waiting for inspection (step 5)."""
    with unit_of_work():
        trade_in = lock_trade_in(shop, trade_in_id)
        transition(shop, trade_in, A.RECEIVE, actor)
    return trade_in


def inspect(
    shop: Shop,
    trade_in_id: int,
    actor: str,
    outcome: str = "confirmed",
    value: object = None,
    note: str | None = None,
) -> TradeIn:
    """received → inspected (value confirmed or adjusted) or revoked (step 5)."""
    actions = {"confirmed": A.CONFIRM, "adjusted": A.ADJUST, "revoked": A.REJECT}
    if outcome not in actions:
        raise InvalidTradeInInput("outcome must be confirmed, adjusted or revoked.")
    with unit_of_work():
        trade_in = lock_trade_in(shop, trade_in_id)
        next_state(trade_in.kind, trade_in.state, actions[outcome])
        data: dict[str, Any] = {}
        paid = (trade_in.value or Decimal(0)) + (trade_in.shipping_refund or Decimal(0))
        if outcome == "adjusted":
            if value is None:
                raise InvalidTradeInInput("An adjusted inspection needs the new value.")
            new_value = parse_money(value, trade_in.currency)
            _, price = value_bounds(shop, trade_in)
            if price is not None and new_value > price:
                raise ValueAbovePrice(price, trade_in.currency)
            difference = new_value - (trade_in.value or Decimal(0))
            data = {"value_before": trade_in.value, "value": new_value}
            trade_in.value = new_value
            if difference > 0:
                method = check_payout_method(
                    trade_in.kind, trade_in.payout_method or "store_credit"
                )
                key = f"trade_in:{trade_in.id}:adjustment"
                data.update(
                    send_payout(
                        shop,
                        trade_in,
                        method,
                        difference,
                        key,
                        note=f"{TRADE_IN_REFUND_NOTE} #{trade_in.id}, adjusted",
                    )
                )
                data["topped_up"] = difference
            elif difference < 0:
                data["owed_back"] = -difference
        elif outcome == "revoked":
            data = {"owed_back": paid}
        elif trade_in.serial:
            # The unit in hand carries the serial the member gave: it is verified now (step 2).
            device = db.session.get(Device, trade_in.device_id)
            if (
                device is not None
                and device.shop_id == shop.id
                and device.serial == trade_in.serial
            ):
                device.serial_verified = True
        transition(shop, trade_in, actions[outcome], actor, note=note, data=data)
    return trade_in


def revoke(shop: Shop, trade_in_id: int, actor: str, note: str) -> TradeIn:
    """The merchant ends a trade-in (fraud or abuse, POLICY.md 2); a payout made is owed back."""
    if not (note or "").strip():
        raise InvalidTradeInInput("Say why the trade-in is revoked.")
    with unit_of_work():
        trade_in = lock_trade_in(shop, trade_in_id)
        was_paid = (
            trade_in.state in (S.PAID, S.RECEIVED) and trade_in.kind == TradeInKind.RECOVERY_VALUE
        )
        owed = (
            (trade_in.value or Decimal(0)) + (trade_in.shipping_refund or Decimal(0))
            if was_paid
            else None
        )
        transition(
            shop,
            trade_in,
            A.REVOKE,
            actor,
            note=note.strip(),
            data={"owed_back": owed} if owed else None,
        )
    return trade_in


def expire_unshipped(today: date | None = None) -> int:
    """Approved recovery trade-ins not shipped in time lose their value and shipping refund."""
    from plugin.shops.registry import installed_shops

    expired = 0
    for shop in installed_shops():
        day = today or store_today(shop)
        due = (
            db.session.execute(
                select(TradeIn.id).where(
                    TradeIn.shop_id == shop.id,
                    TradeIn.state == S.APPROVED.value,
                    TradeIn.kind == TradeInKind.RECOVERY_VALUE.value,
                    TradeIn.ship_by < day,
                )
            )
            .scalars()
            .all()
        )
        for trade_in_id in due:
            try:
                with unit_of_work():
                    trade_in = lock_trade_in(shop, trade_in_id)
                    if trade_in.state == S.APPROVED and _overdue(shop, trade_in, day):
                        _expire(shop, trade_in)
                        expired += 1
            except Exception:
                log.exception("expiring trade-in %s of %s failed", trade_in_id, shop.domain)
    return expired


def _expire(shop: Shop, trade_in: TradeIn) -> None:
    days = program_settings(shop).trade_in_ship_within_days
    revoked = {"value_revoked": trade_in.value, "shipping_refund_revoked": trade_in.shipping_refund}
    trade_in.shipping_refund = None
    transition(
        shop,
        trade_in,
        A.EXPIRE,
        "system",
        note=f"not shipped within {days} days of approval: value and shipping refund revoked",
        data=revoked,
    )


def _approved_on(shop: Shop, trade_in: TradeIn) -> date | None:
    stamp = db.session.execute(
        select(func.max(TradeInEvent.created_at)).where(
            TradeInEvent.shop_id == shop.id,
            TradeInEvent.trade_in_id == trade_in.id,
            TradeInEvent.to_state == S.APPROVED.value,
        )
    ).scalar()
    return clock.local_day(stamp, clock.shop_zone(shop)) if isinstance(stamp, datetime) else None


def _overdue(shop: Shop, trade_in: TradeIn, today: date) -> bool:
    days = program_settings(shop).trade_in_ship_within_days
    approved_on = _approved_on(shop, trade_in)
    if approved_on is None:
        if trade_in.ship_by is None:
            return False
        approved_on = trade_in.ship_by - timedelta(days=days)
    return recovery_shipment_overdue(approved_on, None, today, days)
