"""Paying a trade-in out (store credit, a partial refund or a code), once, through the outbox,
and the outbox's word on the payout back on the trade-in's trail."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from plugin import outbox
from plugin.benefits.tradeins.errors import InvalidTradeInInput, PayoutUnavailable
from plugin.benefits.tradeins.forms import decimal_or_none, parse_money, percent_text
from plugin.benefits.tradeins.trail import (
    add_note,
    check_payout_method,
    find_trade_in,
    lock_trade_in,
    next_state,
    transition,
)
from plugin.database.transaction import unit_of_work
from plugin.extensions import db
from plugin.models import (
    Device,
    Member,
    Order,
    OutboxItem,
    Shop,
    ShopCustomer,
    TradeIn,
    TradeInEvent,
)
from plugin.points.orders import TRADE_IN_REFUND_NOTE
from plugin.program.benefits.tradein_workflow import PayoutMethod, TradeInAction, TradeInState
from plugin.program.messages import title_text
from plugin.program.money import quantize
from plugin.program.policies import TradeInKind

STORE_CREDIT = "store_credit.credit"
REFUND = "refund.create"
# The order cannot be seen: Shopify shows orders older than 60 days only with read_all_orders
# (approved per app), and a deleted order not at all. The trade-in falls back to store credit
# (the refund effect, plugin/effects/refund.py, fails with this reason).
ORDER_OUT_OF_SIGHT = "order out of sight"
A, S = TradeInAction, TradeInState


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
    with unit_of_work():
        trade_in = lock_trade_in(shop, trade_in_id)
        chosen = check_payout_method(trade_in.kind, method)
        next_state(trade_in.kind, trade_in.state, A.PAY)
        refund_of_shipping = (
            parse_money(shipping_refund, trade_in.currency) if shipping_refund is not None else None
        )
        if refund_of_shipping is not None and trade_in.kind != TradeInKind.RECOVERY_VALUE:
            raise InvalidTradeInInput("A shipping refund belongs to a recovery value only.")
        amount = (trade_in.value or Decimal(0)) + (refund_of_shipping or Decimal(0))
        if trade_in.kind == TradeInKind.RECOVERY_VALUE and amount <= 0:
            raise PayoutUnavailable("There is no value to pay; revoke the trade-in instead.")
        if (
            expected_amount is not None
            and parse_money(expected_amount, trade_in.currency) != amount
        ):
            # The merchant confirmed another amount than the one due now (a stale page).
            raise PayoutUnavailable(
                "The amount changed since the page was shown: check it and pay again."
            )
        key = f"trade_in:{trade_in.id}:payout:{_payout_attempts(shop, trade_in)}"
        details = send_payout(
            shop, trade_in, chosen, amount, key, note=f"{TRADE_IN_REFUND_NOTE} #{trade_in.id}"
        )
        trade_in.payout_method = chosen.value
        trade_in.shipping_refund = refund_of_shipping
        transition(
            shop,
            trade_in,
            A.PAY,
            actor,
            data={"method": chosen.value, "amount": amount, "idempotency_key": key, **details},
        )
    return trade_in


def payout_confirmed(shop: Shop, item: OutboxItem, result: dict[str, Any]) -> None:
    """Shopify made the credit or refund: recorded on the trade-in's trail."""
    trade_in = find_trade_in(shop, item.payload.get("trade_in_id"))
    if trade_in is None:
        return
    add_note(
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
    trade_in = find_trade_in(shop, item.payload.get("trade_in_id"), lock=True)
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
        add_note(
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
        transition(
            shop, trade_in, A.PAYOUT_FAILED, "system", note=f"payout failed: {reason}", data=data
        )
    else:  # an adjustment top-up, or a step already taken: the merchant reads it on the trail
        add_note(shop, trade_in, "system", f"payout failed: {reason}", data)


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


def send_payout(
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
        percent = decimal_or_none(trade_in.percent)
        redemption = issue_coupon(
            shop,
            member,
            customer_id,
            purpose="trade_in",
            title=title_text("trade_in_discount", shop.locale, percent=percent_text(percent)),
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
