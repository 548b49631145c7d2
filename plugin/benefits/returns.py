"""Returns and refunds (POLICY.md section 6): what an order can get, return requests, and the
5-working-day refund clock.

The verdict comes from ``plugin.program.benefits.returns.check_return``, counted from the day the
order was delivered. Delivery and fulfilment dates arrive with orders/fulfilled
(``orders.apply_fulfilled``); when an order has none yet, a job reads the order from the Admin API
(``OrderGet``) and applies its fulfilments the same way, so the next check counts from the real day.
The request itself never calls Shopify.

Decisions where the policy is silent:
- Without a delivery date, a fulfilled order counts from its fulfilment day (the earliest it can
  have arrived) until the Admin API gives the delivery day; an unfulfilled order is "not delivered".
- ``damaged_in_transit`` counts as faulty (TESmart pays the return); ``misuse`` gets nothing.
- Past the standard warranty, the extension of the order's devices decides; an order whose every
  device already had its one replacement gets no further exchange.
- The refund clock runs for refunds only; a repair or replacement has no refund to be late.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import or_, select

from plugin import clock
from plugin.benefits.devices import store_today, warranty_facts
from plugin.benefits.working_days import public_holidays
from plugin.database import audit
from plugin.database.rows import lock_shop_row
from plugin.database.transaction import unit_of_work
from plugin.extensions import db
from plugin.models import Device, Member, Order, ReturnRequest, Shop
from plugin.program.benefits.returns import (
    RETURN_OPEN_STATES,
    ReturnOutcome,
    ReturnReason,
    ReturnVerdict,
    ShippingPaidBy,
    check_return,
    next_return_state,
    refund_due_by,
    refund_is_late,
)
from plugin.program.benefits.warranty import standard_warranty_end
from plugin.program.errors import Conflict, NotFound, Refused
from plugin.program.messages import reason_text
from plugin.reach.notifications import return_received
from plugin.shopify.payloads import shopify_id
from plugin.shops.registry import installed_shops
from plugin.shops.settings import program_settings

log = logging.getLogger(__name__)

REASONS = ("faulty", "unwanted", "damaged_in_transit", "misuse")
FAULTY_REASONS = ("faulty", "damaged_in_transit")
# An order whose delivery date is not known yet: the jobs layer reads it from the Admin API
# (``plugin.jobs.deliveries``, installed at app start by ``plugin.jobs.init_jobs``). Returns sit
# below the jobs and do not import them; without it installed the date waits for the webhook.
request_delivery_lookup: Callable[[int, str], object] | None = None


class OrderNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No such order.", code="not_found")


class ReturnNotPossible(Refused):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="return_not_possible")


class ReturnAlreadyRequested(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "A return for this order is already being handled.", code="already_requested"
        )


class ReturnNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No such return request.", code="not_found")


class ReturnTransitionError(Conflict):
    def __init__(self, state: str, action: str) -> None:
        super().__init__(f"A return that is {state} cannot {action}.", code="invalid_transition")


# --- the customer's side --------------------------------------------------------------------------


def customer_order(shop: Shop, customer_id: str, member: Member | None, order_ref: str) -> Order:
    """The order (by id, GID or name) if it is this customer's (or their TESmart ID's) in this
    shop."""
    ref = order_ref.strip()
    owner = Order.customer_id == customer_id
    if member is not None:
        owner = or_(owner, Order.member_id == member.id)
    match = Order.name == ref if ref.startswith("#") else Order.order_id == (shopify_id(ref) or "")
    order = db.session.execute(
        select(Order).where(Order.shop_id == shop.id, match, owner).limit(1)
    ).scalar_one_or_none()
    if order is None or order.paid_at is None:
        raise OrderNotFound()
    return order


def delivered_on(order: Order, shop: Shop | None = None) -> date | None:
    """The delivery day in the store's zone (POLICY.md 1), falling back to the fulfilment's."""
    zone = clock.shop_zone(shop) if shop is not None else clock.zone("UTC")
    moment = order.delivered_at or order.fulfilled_at
    return clock.local_day(moment, zone) if moment is not None else None


def judge(
    shop: Shop, member: Member | None, order: Order, reason: str, today: date
) -> ReturnVerdict:
    """Section 6 for one order and reason."""
    settings = program_settings(shop)
    purchased_on = clock.local_day(
        order.placed_at or order.paid_at or clock.now(), clock.shop_zone(shop)
    )
    standard_end = standard_warranty_end(purchased_on, order.delivery_country)
    devices = list(
        db.session.execute(
            select(Device).where(
                Device.shop_id == shop.id,
                Device.order_id == order.order_id,
                Device.state == "registered",
            )
        ).scalars()
    )
    extended_end = None
    if member is not None:
        ends = [warranty_facts(shop, member, d, today, settings).extended_end for d in devices]
        extended_end = max((end for end in ends if end is not None), default=None)
    verdict = check_return(
        delivered_on=delivered_on(order, shop),
        today=today,
        delivery_country=order.delivery_country,
        faulty=reason in FAULTY_REASONS,
        member_activated=member is not None and member.is_active,
        extended_warranty_end=extended_end,
        standard_warranty_end=standard_end,
        misuse=reason == "misuse",
        return_window_days=settings.return_window_days,
    )
    if (
        verdict.outcome == ReturnOutcome.EXCHANGE
        and devices
        and all(d.replacement_used for d in devices)
    ):
        return ReturnVerdict(
            ReturnOutcome.NONE, ShippingPaidBy.CUSTOMER, "replacement_already_used"
        )
    return verdict


def check(
    shop: Shop,
    customer_id: str,
    member: Member | None,
    order_ref: str,
    reason: str,
    *,
    today: date | None = None,
) -> dict[str, Any]:
    """POST /proxy/returns/check."""
    today = today or store_today(shop)
    order = customer_order(shop, customer_id, member, order_ref)
    verdict = judge(shop, member, order, reason, today)
    order_id, delivery_known = order.order_id, order.delivered_at is not None
    db.session.rollback()
    if not delivery_known and request_delivery_lookup is not None:
        request_delivery_lookup(shop.id, order_id)
    return verdict_view(shop, verdict)


def verdict_view(shop: Shop, verdict: ReturnVerdict) -> dict[str, Any]:
    return {
        "outcome": str(verdict.outcome),
        "return_shipping_paid_by": str(verdict.return_shipping_paid_by),
        "reason": reason_text(verdict.reason_code, shop.locale, **verdict.reason_params),
    }


def create_return(
    shop: Shop,
    customer_id: str,
    member: Member | None,
    *,
    order_ref: str,
    reason: str,
    description: str,
    proof_of_purchase: str,
    photos: list[str],
    delivery_address: dict[str, str],
    phone: str,
    actor: str,
    today: date | None = None,
) -> ReturnRequest:
    """POST /proxy/returns: a request with everything section 6 asks for; commits."""
    today = today or store_today(shop)
    with unit_of_work():
        order = customer_order(shop, customer_id, member, order_ref)
        # The order row is the lock: two requests for one order are decided one after the other.
        db.session.execute(select(Order.id).where(Order.id == order.id).with_for_update())
        verdict = judge(shop, member, order, reason, today)
        if verdict.outcome == ReturnOutcome.NONE:
            raise ReturnNotPossible(
                reason_text(verdict.reason_code, shop.locale, **verdict.reason_params)
            )
        open_request = db.session.execute(
            select(ReturnRequest.id).where(
                ReturnRequest.shop_id == shop.id,
                ReturnRequest.order_id == order.order_id,
                ReturnRequest.state.in_(RETURN_OPEN_STATES),
            )
        ).first()
        if open_request is not None:
            raise ReturnAlreadyRequested()
        request = ReturnRequest(
            shop_id=shop.id,
            member_id=member.id if member is not None else None,
            customer_id=customer_id,
            order_id=order.order_id,
            reason=reason,
            description=description,
            outcome=str(verdict.outcome),
            return_shipping_paid_by=str(verdict.return_shipping_paid_by),
            state="requested",
            proof_of_purchase=proof_of_purchase,
            photos=photos,
            delivery_address=delivery_address,
            phone=phone,
            created_at=clock.now(),
        )
        audit.record_created(
            request,
            shop_id=shop.id,
            actor=actor,
            action="return.request",
            subject_type="return",
            after={
                "order_id": order.order_id,
                "reason": reason,
                "outcome": request.outcome,
                "verdict": verdict.reason_code,
            },
        )
        delivery_known = order.delivered_at is not None
        order_id = order.order_id
    if not delivery_known and request_delivery_lookup is not None:
        request_delivery_lookup(shop.id, order_id)
    return request


def return_view(request: ReturnRequest) -> dict[str, Any]:
    return {
        "id": request.id,
        "order_id": request.order_id,
        "state": request.state,
        "outcome": request.outcome,
        "return_shipping_paid_by": request.return_shipping_paid_by,
        "created_at": request.created_at.isoformat(),
    }


# --- the merchant's side: the refund clock -------------------------------------------------------


def mark_received(
    shop: Shop, return_id: int, actor: str, received_on: date | None = None
) -> ReturnRequest:
    """The warehouse has the parcel: a refund is due within 5 working days (section 6)."""
    received_on = received_on or store_today(shop)

    def receive(request: ReturnRequest) -> dict[str, Any]:
        request.received_on = received_on
        if request.outcome == ReturnOutcome.REFUND:
            request.refund_due_on = refund_due_by(received_on, public_holidays(shop, received_on))

        return_received(shop, request)
        return {"received_on": received_on, "refund_due_on": request.refund_due_on}

    return _step(shop, return_id, "receive", actor, receive)


def mark_refunded(
    shop: Shop, return_id: int, actor: str, refunded_on: date | None = None
) -> ReturnRequest:
    refunded_on = refunded_on or store_today(shop)

    def refund(request: ReturnRequest) -> dict[str, Any]:
        request.refunded_on = refunded_on
        late = request.received_on is not None and refund_is_late(
            request.received_on,
            refunded_on,
            refunded_on,
            public_holidays(shop, request.received_on),
        )
        return {"refunded_on": refunded_on, "late": late}

    return _step(shop, return_id, "refund", actor, refund)


def close_return(shop: Shop, return_id: int, actor: str, note: str | None = None) -> ReturnRequest:
    return _step(shop, return_id, "close", actor, lambda request: {"note": note})


def late_refunds(shop: Shop, today: date | None = None) -> list[ReturnRequest]:
    """Returns whose refund is overdue (5 working days after receipt passed with no refund)."""
    today = today or store_today(shop)
    candidates = db.session.execute(
        select(ReturnRequest)
        .where(
            ReturnRequest.shop_id == shop.id,
            ReturnRequest.state.in_(("received", "refund_late")),
            ReturnRequest.outcome == ReturnOutcome.REFUND.value,
            ReturnRequest.received_on.is_not(None),
        )
        .order_by(ReturnRequest.received_on)
    ).scalars()
    return [
        r
        for r in candidates
        if r.received_on
        and refund_is_late(
            r.received_on, r.refunded_on, today, public_holidays(shop, r.received_on)
        )
    ]


def flag_late_refunds(today: date | None = None) -> int:
    """Flag each refund the moment it becomes late, once (an audit row tells the merchant)."""

    flagged = 0
    for shop in installed_shops():
        for request in late_refunds(shop, today or store_today(shop)):
            if request.state == "received":
                _step(
                    shop,
                    request.id,
                    "flag_late",
                    "system",
                    lambda r: {"refund_due_on": r.refund_due_on},
                )
                flagged += 1
    return flagged


def _step(shop: Shop, return_id: int, action: str, actor: str, apply: Any) -> ReturnRequest:
    with unit_of_work():
        request = lock_shop_row(ReturnRequest, shop.id, return_id)
        if request is None:
            raise ReturnNotFound()
        step = next_return_state(request.state, action)
        if step is None:
            raise ReturnTransitionError(request.state, action)
        target = step.value
        before = request.state
        details = apply(request) or {}
        request.state = target
        audit.record(
            shop_id=shop.id,
            actor=actor,
            action=f"return.{action}",
            subject_type="return",
            subject_id=request.id,
            before={"state": before},
            after={"state": target, **details},
        )
    return request


__all__ = [
    "REASONS",
    "ReturnReason",
    "check",
    "close_return",
    "create_return",
    "flag_late_refunds",
    "late_refunds",
    "mark_received",
    "mark_refunded",
    "return_view",
]
