"""The member's side: a quote (POLICY.md 5, step 1), applying from it (step 2), and the member's
trade-ins as the storefront shows them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from plugin import clock
from plugin.benefits.devices import (
    DeviceNotFound,
    DeviceRows,
    assign_serial,
    member_device,
    member_device_with_history,
    normalize_serial,
    quote_for,
    serial_traded_in,
    store_today,
)
from plugin.benefits.tradeins.errors import (
    AlreadyApplied,
    QuoteExpired,
    SerialMismatch,
    SerialRequired,
    TradeInNotFound,
    TradeInUnavailable,
)
from plugin.benefits.tradeins.forms import decimal_or_none, percent_text
from plugin.benefits.tradeins.trail import event_data, lock_trade_in, transition
from plugin.database.reads import commit_keeping_loaded, end_reading
from plugin.database.transaction import unit_of_work
from plugin.extensions import db
from plugin.models import Member, Redemption, Shop, TradeIn, TradeInEvent
from plugin.program.benefits.tradein import (
    TradeInCondition,
    TradeInQuote,
    quote_applicable,
    quote_expired,
)
from plugin.program.benefits.tradein_workflow import TradeInAction, TradeInState
from plugin.program.cohorts import Cohort
from plugin.program.messages import reason_text
from plugin.program.money import format_plain, quantize
from plugin.program.policies import POLICIES
from plugin.shops.settings import program_settings

A, S = TradeInAction, TradeInState


def quote(
    shop: Shop,
    member: Member,
    device_id: object,
    condition: TradeInCondition,
    *,
    actor: str,
    today: date | None = None,
    read: DeviceRows | None = None,
    before_write: Callable[[], None] | None = None,
) -> tuple[TradeInQuote, TradeIn | None]:
    """POST /proxy/trade-in/quote: the program's answer; a ``quoted`` trade-in when applicable.
    ``read``: what the visit read of the member's device ``device_id`` (none: not theirs).
    ``before_write`` runs only when the quote is written, before anything is (the storefront's
    write limit): what it raises stops the write. A quote with nothing to apply for writes
    nothing and does not call it."""
    today = today or store_today(shop)
    try:
        if read is None:
            device, history = member_device_with_history(shop, member, device_id)
        elif read:
            ((device, history),) = read
        else:
            raise DeviceNotFound()
        answer = quote_for(shop, member, device, condition, today, history=history)
        trade_in = None
        if quote_applicable(answer):
            if before_write is not None:
                before_write()
            end_reading()  # the quote and its event are written in one transaction
            now = clock.now()
            trade_in = TradeIn(
                shop_id=shop.id,
                member_id=member.id,
                device_id=device.id,
                state=S.QUOTED.value,
                cohort=answer.cohort,
                kind=answer.kind.value,
                percent=answer.percent,
                value=answer.value,
                currency=answer.currency,
                condition={
                    "cosmetic_wear": condition.cosmetic_wear,
                    "accessories_complete": condition.accessories_complete,
                    "original_packaging": condition.original_packaging,
                    "working": condition.working,
                },
                created_at=now,
                updated_at=now,
            )
            db.session.add(trade_in)
            db.session.flush()
            db.session.add(
                TradeInEvent(
                    shop_id=shop.id,
                    trade_in_id=trade_in.id,
                    from_state=None,
                    to_state=S.QUOTED.value,
                    actor=actor,
                    data=event_data({"reason": answer.reason_code, **answer.reason_params}),
                    created_at=now,
                )
            )
        # The view is built from the rows read here and the quote's new id: keep them loaded.
        commit_keeping_loaded()
    except Exception:
        db.session.rollback()
        raise
    return answer, trade_in


def quote_breakdown(
    shop: Shop, answer: TradeInQuote, condition: TradeInCondition | None
) -> list[dict[str, Any]]:
    """Each condition deduction the recovery value took (POLICY.md 5, step 1), as share of the base
    value and amount, so the shopper sees base − each deduction = value."""
    if answer.base_value is None or condition is None or answer.value is None:
        return []
    rules = program_settings(shop).deductions
    taken = [
        ("cosmetic_wear", rules.cosmetic_wear, condition.cosmetic_wear),
        ("missing_accessories", rules.missing_accessories, not condition.accessories_complete),
        ("packaging", rules.packaging, not condition.original_packaging),
    ]
    return [
        {
            "question": name,
            "percent": percent_text(share),
            "amount": format_plain(
                quantize(answer.base_value * share / Decimal(100), answer.currency), answer.currency
            ),
        }
        for name, share, applies in taken
        if applies and share > 0
    ]


def quote_view(
    shop: Shop,
    answer: TradeInQuote,
    trade_in: TradeIn | None,
    condition: TradeInCondition | None = None,
) -> dict[str, Any]:
    return {
        "base_value": format_plain(answer.base_value, answer.currency)
        if answer.base_value is not None
        else None,
        "deductions": quote_breakdown(shop, answer, condition),
        "quote_id": trade_in.id if trade_in is not None else None,
        "cohort": answer.cohort,
        "eligible": answer.eligible,
        "kind": answer.kind.value,
        "percent": percent_text(answer.percent),
        "value": format_plain(answer.value, answer.currency) if answer.value is not None else None,
        "currency": answer.currency,
        "reason": reason_text(answer.reason_code, shop.locale, **answer.reason_params),
    }


def apply(
    shop: Shop,
    member: Member,
    quote_id: object,
    *,
    actor: str,
    serial: object = None,
    today: date | None = None,
) -> TradeIn:
    """POST /proxy/trade-ins: apply from a quote, re-checked under the device's row lock."""
    today = today or store_today(shop)
    with unit_of_work():
        trade_in = lock_trade_in(shop, quote_id)
        if trade_in.member_id != member.id:
            raise TradeInNotFound()
        if trade_in.state != S.QUOTED:
            raise AlreadyApplied()
        if quote_expired(trade_in.created_at, clock.now()):
            raise QuoteExpired()
        device = member_device(shop, member, trade_in.device_id, lock=True)
        answer = quote_for(shop, member, device, TradeInCondition(**trade_in.condition), today)
        if not quote_applicable(answer):
            raise TradeInUnavailable(
                reason_text(answer.reason_code, shop.locale, **answer.reason_params)
            )
        if (answer.cohort, answer.kind.value, answer.percent, answer.value) != (
            trade_in.cohort,
            trade_in.kind,
            decimal_or_none(trade_in.percent),
            decimal_or_none(trade_in.value),
        ):
            raise QuoteExpired()
        given = normalize_serial(serial) if serial not in (None, "") else None
        if given is not None and device.serial is not None and given != device.serial:
            raise SerialMismatch()
        if answer.cohort is not None and POLICIES[Cohort(answer.cohort)].serial_required:
            # 2025-11: a verified serial number, and a serial takes part once (step 2).
            if given is not None:
                assign_serial(shop, device, given)
            if device.serial is None:
                raise SerialRequired()
            if serial_traded_in(shop, device.serial, except_trade_in=trade_in.id):
                raise TradeInUnavailable(reason_text("already_traded_in", shop.locale))
        trade_in.serial = device.serial
        transition(shop, trade_in, A.APPLY, actor, data={"serial": trade_in.serial})
    return trade_in


def member_trade_ins(shop: Shop, member: Member) -> list[TradeIn]:
    """The member's trade-ins in this shop (quotes not applied for are not trade-ins yet)."""
    stmt = (
        select(TradeIn)
        .where(
            TradeIn.shop_id == shop.id,
            TradeIn.member_id == member.id,
            TradeIn.state != S.QUOTED.value,
        )
        .order_by(TradeIn.id.desc())
    )
    return list(db.session.execute(stmt).scalars())


def trade_in_view(trade_in: TradeIn) -> dict[str, Any]:
    code = None
    if trade_in.redemption_id is not None:
        redemption = db.session.get(Redemption, trade_in.redemption_id)
        if redemption is not None and redemption.state == "issued":
            code = redemption.code
    return {
        "id": trade_in.id,
        "device_id": trade_in.device_id,
        "state": trade_in.state,
        "kind": trade_in.kind,
        "percent": percent_text(trade_in.percent),
        "value": format_plain(trade_in.value, trade_in.currency)
        if trade_in.value is not None
        else None,
        "currency": trade_in.currency,
        "code": code,
        "tracking_number": trade_in.tracking_number,
        "created_at": trade_in.created_at.isoformat(),
        "updated_at": trade_in.updated_at.isoformat(),
    }
