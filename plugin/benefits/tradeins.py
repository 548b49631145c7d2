"""Trade-ins: quotes, applications and the merchant's workflow (POLICY.md section 5).

Every public function is one unit of work: it locks the trade-in row, checks the step against the
pure table in ``plugin.program.tradein_workflow``, writes a ``TradeInEvent`` and an ``AuditLog``
row, writes any payout to the outbox in the same transaction, and commits. A payout therefore
happens once: the row lock and the table let only one ``pay`` through, and the outbox item (one
idempotency key per payout attempt) performs it at most once (``plugin.effects.store_credit`` and
``plugin.effects.refund``; codes go through ``redemptions.issue_coupon``).

Decisions where the policy is silent:
- A quote is valid for 7 days and only while the program still gives the same answer; applying
  re-checks everything under the device's row lock.
- Only quotes with something to apply for (a recovery value or a discount) get a ``quote_id``;
  free recycling needs no application.
- ``pay`` may add a shipping refund to a recovery value (step 3: "refunded with the value"). After
  inspection a higher value is topped up through the same payout method; a lower value, or a
  revocation after payment, is recorded as owed back for the merchant to settle.
- The payout goes to the customer who bought the device (its order's customer), or else to the
  member's customer in this shop.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select

from plugin import clock, outbox
from plugin.benefits.devices import (
    MAX_ID,
    assign_serial,
    member_device,
    member_device_with_history,
    normalize_serial,
    quote_for,
    serial_traded_in,
    store_today,
)
from plugin.database import audit
from plugin.database.reads import commit_keeping_loaded, end_reading
from plugin.errors import ApiError
from plugin.extensions import db
from plugin.jobs.periodic import periodic
from plugin.models import (
    Device,
    Member,
    Order,
    OutboxItem,
    Redemption,
    Shop,
    ShopCustomer,
    TradeIn,
    TradeInEvent,
)
from plugin.points.orders import TRADE_IN_REFUND_NOTE
from plugin.program import tradein_workflow as workflow
from plugin.program.cohorts import Cohort
from plugin.program.messages import reason_text, title_text
from plugin.program.money import format_plain, quantize
from plugin.program.policies import POLICIES, TradeInKind
from plugin.program.tradein import TradeInCondition, TradeInQuote, recovery_shipment_overdue
from plugin.program.tradein_workflow import PayoutMethod, TradeInAction, TradeInState
from plugin.reach import notifications
from plugin.shops.settings import program_settings

log = logging.getLogger(__name__)

__all__ = [
    "PayoutMethod",
    "TradeInTransitionError",
    "approve",
    "apply",
    "expire_unshipped",
    "inspect",
    "mark_received",
    "mark_shipped",
    "member_trade_ins",
    "pay",
    "quote",
    "revoke",
    "trade_in_view",
]

QUOTE_VALID_DAYS = 7
STORE_CREDIT = "store_credit.credit"
REFUND = "refund.create"
APPLICABLE_KINDS = (TradeInKind.RECOVERY_VALUE, TradeInKind.DISCOUNT_ON_NEW)
A, S = TradeInAction, TradeInState


class TradeInTransitionError(ApiError, workflow.TradeInTransitionError):
    """A step the workflow does not allow now: 409 on every surface, and still the program's
    ``TradeInTransitionError`` for callers that catch that."""

    def __init__(self, kind: str, state: str, action: str, detail: str | None = None) -> None:
        workflow.TradeInTransitionError.__init__(self, kind, state, action, detail)
        # ApiError's fields, set by hand: its __init__ would reach the program error's through
        # super().
        self.status, self.code, self.message, self.extra = (
            409,
            "invalid_transition",
            str(self.args[0]),
            {},
        )


def next_state(kind: str, state: str, action: str) -> TradeInState:
    try:
        return workflow.next_state(kind, state, action)
    except workflow.TradeInTransitionError as exc:
        raise TradeInTransitionError(kind, state, action, str(exc)) from None


def check_payout_method(kind: str, method: str) -> PayoutMethod:
    try:
        return workflow.check_payout_method(kind, method)
    except workflow.TradeInTransitionError as exc:
        raise TradeInTransitionError(kind, exc.state, "pay", str(exc)) from None


class TradeInNotFound(ApiError):
    def __init__(self) -> None:
        super().__init__(404, "not_found", "No such trade-in.")


class AlreadyApplied(ApiError):
    def __init__(self) -> None:
        super().__init__(409, "already_applied", "This quote has already been used.")


class QuoteExpired(ApiError):
    def __init__(self) -> None:
        super().__init__(
            422, "quote_expired", "This quote is no longer valid. Please ask for a new quote."
        )


class TradeInUnavailable(ApiError):
    def __init__(self, message: str) -> None:
        super().__init__(422, "trade_in_unavailable", message)


class SerialRequired(ApiError):
    def __init__(self) -> None:
        super().__init__(
            422, "serial_required", "Enter the serial number of the device to apply for a trade-in."
        )


class SerialMismatch(ApiError):
    def __init__(self) -> None:
        super().__init__(
            409, "serial_mismatch", "This serial number is not the one registered for the device."
        )


class PayoutUnavailable(ApiError):
    def __init__(self, message: str) -> None:
        super().__init__(409, "payout_unavailable", message)


class InvalidTradeInInput(ApiError):
    def __init__(self, message: str) -> None:
        super().__init__(400, "invalid_request", message)


# --- the member's side ----------------------------------------------------------------------------


def quote(
    shop: Shop,
    member: Member,
    device_id: object,
    condition: TradeInCondition,
    *,
    actor: str,
    today: date | None = None,
) -> tuple[TradeInQuote, TradeIn | None]:
    """POST /proxy/trade-in/quote: the program's answer; a ``quoted`` trade-in when applicable."""
    today = today or store_today(shop)
    try:
        device, history = member_device_with_history(shop, member, device_id)
        answer = quote_for(shop, member, device, condition, today, history=history)
        trade_in = None
        if answer.eligible and answer.kind in APPLICABLE_KINDS:
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
                    data=_plain({"reason": answer.reason_code, **answer.reason_params}),
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
    from plugin.program.money import quantize
    from plugin.shops.settings import program_settings

    rules = program_settings(shop).deductions
    taken = [
        ("cosmetic_wear", rules.cosmetic_wear, condition.cosmetic_wear),
        ("missing_accessories", rules.missing_accessories, not condition.accessories_complete),
        ("packaging", rules.packaging, not condition.original_packaging),
    ]
    return [
        {
            "question": name,
            "percent": _percent(share),
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
        "percent": _percent(answer.percent),
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
    try:
        trade_in = _lock(shop, quote_id)
        if trade_in.member_id != member.id:
            raise TradeInNotFound()
        if trade_in.state != S.QUOTED:
            raise AlreadyApplied()
        if clock.now() - trade_in.created_at > timedelta(days=QUOTE_VALID_DAYS):
            raise QuoteExpired()
        device = member_device(shop, member, trade_in.device_id, lock=True)
        answer = quote_for(shop, member, device, TradeInCondition(**trade_in.condition), today)
        if not answer.eligible or answer.kind not in APPLICABLE_KINDS:
            raise TradeInUnavailable(
                reason_text(answer.reason_code, shop.locale, **answer.reason_params)
            )
        if (answer.cohort, answer.kind.value, answer.percent, answer.value) != (
            trade_in.cohort,
            trade_in.kind,
            _decimal_or_none(trade_in.percent),
            _decimal_or_none(trade_in.value),
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
        _transition(shop, trade_in, A.APPLY, actor, data={"serial": trade_in.serial})
        outbox.commit()
    except Exception:
        outbox.rollback()
        raise
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
        "percent": _percent(trade_in.percent),
        "value": format_plain(trade_in.value, trade_in.currency)
        if trade_in.value is not None
        else None,
        "currency": trade_in.currency,
        "code": code,
        "tracking_number": trade_in.tracking_number,
        "created_at": trade_in.created_at.isoformat(),
        "updated_at": trade_in.updated_at.isoformat(),
    }


# --- the merchant's workflow ----------------------------------------------------------------------


class ValueAboveQuote(ApiError):
    """An approval above the quote: allowed with a reason and the merchant's second confirmation."""

    def __init__(
        self, quoted: Decimal, value: Decimal, currency: str, *, reason_missing: bool
    ) -> None:
        message = (
            f"{format_plain(value, currency)} {currency} is above the quote of "
            f"{format_plain(quoted, currency)} {currency}. "
            + ("Say why, then confirm." if reason_missing else "Confirm the higher value.")
        )
        super().__init__(409, "value_above_quote", message)
        self.quoted, self.value, self.currency = quoted, value, currency


class ValueAbovePrice(ApiError):
    """No trade-in is worth more than the member paid for the device."""

    def __init__(self, paid: Decimal, currency: str) -> None:
        super().__init__(
            422,
            "value_above_price",
            f"The value cannot be more than the {format_plain(paid, currency)} {currency} paid for "
            "the device.",
        )
        self.paid, self.currency = paid, currency


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
    try:
        trade_in = _lock(shop, trade_in_id)
        next_state(trade_in.kind, trade_in.state, A.APPROVE)
        data: dict[str, Any] = {}
        if value is not None:
            if trade_in.kind != TradeInKind.RECOVERY_VALUE:
                raise InvalidTradeInInput(
                    "Only a recovery value can be set; a discount is fixed by the policy."
                )
            new_value = _money(value, trade_in.currency)
            _check_value(shop, trade_in, new_value, reason=reason, confirmed=confirmed)
            data = {"value_quoted": trade_in.value, "value": new_value}
            if reason:
                data["reason"] = reason
            trade_in.value = new_value
        if trade_in.kind == TradeInKind.RECOVERY_VALUE:
            days = program_settings(shop).trade_in_ship_within_days
            trade_in.ship_by = store_today(shop) + timedelta(days=days)
            data["ship_by"] = trade_in.ship_by
        _transition(shop, trade_in, A.APPROVE, actor, note=reason, data=data)
        outbox.commit()
    except Exception:
        outbox.rollback()
        raise
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
    tracking = _text(tracking_number, "tracking_number", 128)
    carrier_text = _text(carrier, "carrier", 64) if carrier not in (None, "") else None
    today = today or store_today(shop)
    expired = False
    try:
        trade_in = _lock(shop, trade_in_id)
        if member is not None and trade_in.member_id != member.id:
            raise TradeInNotFound()
        if trade_in.state == S.APPROVED and _overdue(shop, trade_in, today):
            _expire(shop, trade_in)
            expired = True
        else:
            _transition(
                shop,
                trade_in,
                A.SHIP,
                actor,
                data={"tracking_number": tracking, "carrier": carrier_text},
            )
            trade_in.tracking_number = tracking
            trade_in.carrier = carrier_text
        outbox.commit()
    except Exception:
        outbox.rollback()
        raise
    if expired:
        raise TradeInTransitionError(
            trade_in.kind,
            S.EXPIRED,
            A.SHIP,
            "The shipping deadline has passed; the trade-in has expired.",
        )
    return trade_in


def pay(
    shop: Shop,
    trade_in_id: int,
    actor: str,
    method: str = "store_credit",
    *,
    shipping_refund: object = None,
    expected_amount: object = None,
) -> TradeIn:
    """shipped → paid (recovery value: store credit, a partial refund or a code for a new order);
    approved → paid (discount: the single-use percentage code). Through the outbox, once.

    Store credit only where shoppers can spend it (``services.store_credit``); asked before the
    trade-in's row is locked, so no lock waits on Shopify."""
    if method == PayoutMethod.STORE_CREDIT.value:
        from plugin.shopify.store_credit import store_credit_check

        check = store_credit_check(shop)
        if check.spendable is False:
            raise PayoutUnavailable(check.message or "Store credit cannot be spent in this store.")
    try:
        trade_in = _lock(shop, trade_in_id)
        chosen = check_payout_method(trade_in.kind, method)
        next_state(trade_in.kind, trade_in.state, A.PAY)
        refund_of_shipping = (
            _money(shipping_refund, trade_in.currency) if shipping_refund is not None else None
        )
        if refund_of_shipping is not None and trade_in.kind != TradeInKind.RECOVERY_VALUE:
            raise InvalidTradeInInput("A shipping refund belongs to a recovery value only.")
        amount = (trade_in.value or Decimal(0)) + (refund_of_shipping or Decimal(0))
        if trade_in.kind == TradeInKind.RECOVERY_VALUE and amount <= 0:
            raise PayoutUnavailable("There is no value to pay; revoke the trade-in instead.")
        if expected_amount is not None and _money(expected_amount, trade_in.currency) != amount:
            # The merchant confirmed another amount than the one due now (a stale page).
            raise PayoutUnavailable(
                "The amount changed since the page was shown: check it and pay again."
            )
        key = f"trade_in:{trade_in.id}:payout:{_payout_attempts(shop, trade_in)}"
        details = _send_payout(
            shop, trade_in, chosen, amount, key, note=f"{TRADE_IN_REFUND_NOTE} #{trade_in.id}"
        )
        trade_in.payout_method = chosen.value
        trade_in.shipping_refund = refund_of_shipping
        _transition(
            shop,
            trade_in,
            A.PAY,
            actor,
            data={"method": chosen.value, "amount": amount, "idempotency_key": key, **details},
        )
        outbox.commit()
    except Exception:
        outbox.rollback()
        raise
    return trade_in


def mark_received(shop: Shop, trade_in_id: int, actor: str) -> TradeIn:
    """paid → received: the parcel is at the warehouse, waiting for inspection (step 5)."""
    try:
        trade_in = _lock(shop, trade_in_id)
        _transition(shop, trade_in, A.RECEIVE, actor)
        outbox.commit()
    except Exception:
        outbox.rollback()
        raise
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
    try:
        trade_in = _lock(shop, trade_in_id)
        next_state(trade_in.kind, trade_in.state, actions[outcome])
        data: dict[str, Any] = {}
        paid = (trade_in.value or Decimal(0)) + (trade_in.shipping_refund or Decimal(0))
        if outcome == "adjusted":
            if value is None:
                raise InvalidTradeInInput("An adjusted inspection needs the new value.")
            new_value = _money(value, trade_in.currency)
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
                    _send_payout(
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
        _transition(shop, trade_in, actions[outcome], actor, note=note, data=data)
        outbox.commit()
    except Exception:
        outbox.rollback()
        raise
    return trade_in


def revoke(shop: Shop, trade_in_id: int, actor: str, note: str) -> TradeIn:
    """The merchant ends a trade-in (fraud or abuse, POLICY.md 2); a payout made is owed back."""
    if not (note or "").strip():
        raise InvalidTradeInInput("Say why the trade-in is revoked.")
    try:
        trade_in = _lock(shop, trade_in_id)
        was_paid = (
            trade_in.state in (S.PAID, S.RECEIVED) and trade_in.kind == TradeInKind.RECOVERY_VALUE
        )
        owed = (
            (trade_in.value or Decimal(0)) + (trade_in.shipping_refund or Decimal(0))
            if was_paid
            else None
        )
        _transition(
            shop,
            trade_in,
            A.REVOKE,
            actor,
            note=note.strip(),
            data={"owed_back": owed} if owed else None,
        )
        outbox.commit()
    except Exception:
        outbox.rollback()
        raise
    return trade_in


@periodic("trade_ins.expire_unshipped")
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
                trade_in = _lock(shop, trade_in_id)
                if trade_in.state == S.APPROVED and _overdue(shop, trade_in, day):
                    _expire(shop, trade_in)
                    expired += 1
                outbox.commit()
            except Exception:
                outbox.rollback()
                log.exception("expiring trade-in %s of %s failed", trade_in_id, shop.domain)
    return expired


# --- payout results (outbox callbacks) -----------------------------------------------------------


def payout_confirmed(shop: Shop, item: OutboxItem, result: dict[str, Any]) -> None:
    """Shopify made the credit or refund: recorded on the trade-in's trail."""
    trade_in = _find(shop, item.payload.get("trade_in_id"))
    if trade_in is None:
        return
    _note(
        shop,
        trade_in,
        "system",
        "payout confirmed",
        {"idempotency_key": item.idempotency_key, **result},
    )


def payout_failed(shop: Shop, item: OutboxItem, reason: str) -> None:
    """Shopify refused for good: the trade-in steps back so the merchant can pay again.

    A partial refund of an order the app cannot see (older than 60 days without read_all_orders)
    is paid as store credit instead, the same amount, with a note to the merchant saying so.
    """
    from plugin.effects.refund import ORDER_OUT_OF_SIGHT

    trade_in = _find(shop, item.payload.get("trade_in_id"), lock=True)
    if trade_in is None:
        return
    data = {"idempotency_key": item.idempotency_key, "reason": reason}
    if (
        item.kind == REFUND
        and reason.startswith(ORDER_OUT_OF_SIGHT)
        and trade_in.state in (S.PAID, S.RECEIVED, S.INSPECTED)
    ):
        key = f"{item.idempotency_key}:store_credit"
        payload = {
            k: v for k, v in item.payload.items() if k not in ("order_id", "idempotency_key")
        }
        customer_id = _payout_customer(shop, trade_in)
        outbox.add(
            shop.id,
            STORE_CREDIT,
            key,
            {**payload, "customer_id": customer_id, "idempotency_key": key},
        )
        if _current_payout_key(shop, trade_in) == item.idempotency_key:
            trade_in.payout_method = PayoutMethod.STORE_CREDIT.value
        _note(
            shop,
            trade_in,
            "system",
            f"Paid as store credit instead of a partial refund: Shopify does not show order "
            f"{item.payload.get('order_id')} to the app (orders older than 60 days need the "
            "read_all_orders access).",
            {**data, "fallback": "store_credit", "fallback_key": key},
        )
        return
    current = _current_payout_key(shop, trade_in)
    if trade_in.state == S.PAID and current == item.idempotency_key:
        trade_in.payout_method = None
        _transition(
            shop, trade_in, A.PAYOUT_FAILED, "system", note=f"payout failed: {reason}", data=data
        )
    else:  # an adjustment top-up, or a step already taken: the merchant reads it on the trail
        _note(shop, trade_in, "system", f"payout failed: {reason}", data)


# --- internals -----------------------------------------------------------------------------------


def _lock(shop: Shop, trade_in_id: object) -> TradeIn:
    if (
        not isinstance(trade_in_id, int)
        or isinstance(trade_in_id, bool)
        or not 1 <= trade_in_id <= MAX_ID
    ):
        raise TradeInNotFound()
    trade_in = _find(shop, trade_in_id, lock=True)
    if trade_in is None:
        raise TradeInNotFound()
    return trade_in


def _find(shop: Shop, trade_in_id: object, *, lock: bool = False) -> TradeIn | None:
    if not isinstance(trade_in_id, int):
        return None
    stmt = select(TradeIn).where(TradeIn.shop_id == shop.id, TradeIn.id == trade_in_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return db.session.execute(stmt).scalar_one_or_none()


def _transition(
    shop: Shop,
    trade_in: TradeIn,
    action: TradeInAction,
    actor: str,
    *,
    note: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    before = trade_in.state
    after = next_state(trade_in.kind, before, action)
    now = clock.now()
    trade_in.state = after.value
    trade_in.updated_at = now
    if note:
        trade_in.note = note
    plain = _plain(data or {})
    event = TradeInEvent(
        shop_id=shop.id,
        trade_in_id=trade_in.id,
        from_state=before,
        to_state=after.value,
        actor=actor[:255],
        note=note,
        data=plain,
        created_at=now,
    )
    db.session.add(event)
    db.session.flush()
    notifications.trade_in_changed(shop, trade_in, before, action.value, event.id, data or {})
    audit.record(
        shop_id=shop.id,
        actor=actor,
        action=f"trade_in.{action.value}",
        subject_type="trade_in",
        subject_id=trade_in.id,
        before={"state": before},
        after={"state": after.value, **plain},
    )


def _note(shop: Shop, trade_in: TradeIn, actor: str, note: str, data: dict[str, Any]) -> None:
    """A line on the trail that does not move the state (payout results)."""
    plain = _plain(data)
    db.session.add(
        TradeInEvent(
            shop_id=shop.id,
            trade_in_id=trade_in.id,
            from_state=trade_in.state,
            to_state=trade_in.state,
            actor=actor,
            note=note,
            data=plain,
            created_at=clock.now(),
        )
    )
    audit.record(
        shop_id=shop.id,
        actor=actor,
        action="trade_in.payout_result",
        subject_type="trade_in",
        subject_id=trade_in.id,
        after={"note": note, **plain},
    )


def _expire(shop: Shop, trade_in: TradeIn) -> None:
    days = program_settings(shop).trade_in_ship_within_days
    revoked = {"value_revoked": trade_in.value, "shipping_refund_revoked": trade_in.shipping_refund}
    trade_in.shipping_refund = None
    _transition(
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


def _payout_attempts(shop: Shop, trade_in: TradeIn) -> int:
    return int(
        db.session.execute(
            select(func.count(TradeInEvent.id)).where(
                TradeInEvent.shop_id == shop.id,
                TradeInEvent.trade_in_id == trade_in.id,
                TradeInEvent.to_state == S.PAID.value,
                TradeInEvent.from_state != S.PAID.value,
            )
        ).scalar()
        or 0
    )


def _current_payout_key(shop: Shop, trade_in: TradeIn) -> str | None:
    event = db.session.execute(
        select(TradeInEvent)
        .where(
            TradeInEvent.shop_id == shop.id,
            TradeInEvent.trade_in_id == trade_in.id,
            TradeInEvent.to_state == S.PAID.value,
            TradeInEvent.from_state != S.PAID.value,
        )
        .order_by(TradeInEvent.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return (event.data or {}).get("idempotency_key") if event is not None else None


def _payout_customer(shop: Shop, trade_in: TradeIn) -> str:
    device = db.session.get(Device, trade_in.device_id)
    customer_id = None
    if device is not None and device.shop_id == shop.id:
        customer_id = db.session.execute(
            select(Order.customer_id).where(
                Order.shop_id == shop.id, Order.order_id == device.order_id
            )
        ).scalar_one_or_none()
    if customer_id is None and trade_in.member_id is not None:
        customer_id = db.session.execute(
            select(ShopCustomer.customer_id)
            .where(ShopCustomer.shop_id == shop.id, ShopCustomer.member_id == trade_in.member_id)
            .order_by(ShopCustomer.id.desc())
            .limit(1)
        ).scalar_one_or_none()
    if customer_id is None:
        raise PayoutUnavailable("The member has no customer account in this store to pay.")
    return str(customer_id)


def _refund_order(shop: Shop, trade_in: TradeIn, amount: Decimal) -> Order:
    """The member's most recent paid order in this store that can take the partial refund."""
    orders = db.session.execute(
        select(Order)
        .where(
            Order.shop_id == shop.id,
            Order.member_id == trade_in.member_id,
            Order.currency == trade_in.currency,
            Order.paid_at.is_not(None),
            Order.cancelled_at.is_(None),
        )
        .order_by(Order.paid_at.desc(), Order.id.desc())
        .limit(20)
    ).scalars()
    for order in orders:
        if order.total_amount - order.refunded_amount >= amount:
            return order
    raise PayoutUnavailable("No recent order of the member can take a refund of this amount.")


def _send_payout(
    shop: Shop, trade_in: TradeIn, method: PayoutMethod, amount: Decimal, key: str, *, note: str
) -> dict[str, Any]:
    """Write the payout (outbox, or a coupon through the outbox) in the caller's transaction."""
    customer_id = _payout_customer(shop, trade_in)
    amount = quantize(amount, trade_in.currency)
    base = {
        "trade_in_id": trade_in.id,
        "amount": str(amount),
        "currency": trade_in.currency,
        "note": note,
    }
    if method is PayoutMethod.STORE_CREDIT:
        outbox.add(
            shop.id, STORE_CREDIT, key, {**base, "customer_id": customer_id, "idempotency_key": key}
        )
        return {"customer_id": customer_id}
    if method is PayoutMethod.REFUND:
        order = _refund_order(shop, trade_in, amount)
        outbox.add(
            shop.id, REFUND, key, {**base, "order_id": order.order_id, "idempotency_key": key}
        )
        return {"order_id": order.order_id}
    from plugin.rewards.redemptions import issue_coupon

    member = db.session.get(Member, trade_in.member_id) if trade_in.member_id else None
    if member is None:
        raise PayoutUnavailable("The trade-in has no member to issue a code to.")
    if trade_in.kind == TradeInKind.DISCOUNT_ON_NEW:
        percent = _decimal_or_none(trade_in.percent)
        redemption = issue_coupon(
            shop,
            member,
            customer_id,
            purpose="trade_in",
            title=title_text("trade_in_discount", shop.locale, percent=_percent(percent)),
            kind="percentage",
            percentage=percent,
            idempotency_key=key,
        )
    else:
        redemption = issue_coupon(
            shop,
            member,
            customer_id,
            purpose="trade_in",
            title=title_text("trade_in_credit", shop.locale, id=trade_in.id),
            kind="fixed_amount",
            amount=amount,
            idempotency_key=key,
        )
    trade_in.redemption_id = redemption.id
    return {"redemption_id": redemption.id, "customer_id": customer_id}


_AMOUNT_HINT = "Enter the amount as a number, such as 45.00."


def _money(value: object, currency: str) -> Decimal:
    if isinstance(value, bool | float):
        raise InvalidTradeInInput(_AMOUNT_HINT)
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise InvalidTradeInInput(_AMOUNT_HINT) from None
    if not amount.is_finite() or amount < 0:
        raise InvalidTradeInInput("A value cannot be negative.")
    quantized = quantize(amount, currency)
    if quantized != amount:
        places = "no decimals" if currency in ("JPY", "KRW") else "at most two decimals"
        raise InvalidTradeInInput(f"Amounts in {currency} have {places}.")
    return quantized


def _text(value: object, name: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > limit:
        raise InvalidTradeInInput(f"{name} must be text of 1 to {limit} characters.")
    return value.strip()


def _decimal_or_none(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).normalize()


def _percent(value: Decimal | None) -> str | None:
    return None if value is None else format(Decimal(value).normalize(), "f")


def _plain(value: Any) -> Any:
    """Event data is JSON: money as decimal strings, dates as ISO text."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value
