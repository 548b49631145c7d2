"""Returns and refunds (POLICY.md section 6): what an order can get, return requests, and the
5-working-day refund clock.

The verdict comes from ``plugin.program.returns.check_return``, counted from the day the order was
delivered. Delivery and fulfilment dates arrive with orders/fulfilled (``orders.apply_fulfilled``);
when an order has none yet, a job reads the order from the Admin API (``OrderGet``) and applies its
fulfilments the same way, so the next check counts from the real day. The request itself never
calls Shopify.

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
import threading
import time
from datetime import date
from typing import Any

from sqlalchemy import or_, select

from plugin import clock, outbox
from plugin.benefits.devices import store_today, warranty_facts
from plugin.benefits.working_days import public_holidays
from plugin.database import audit
from plugin.errors import ApiError
from plugin.extensions import db
from plugin.jobs.periodic import periodic
from plugin.models import Device, Member, Order, ReturnRequest, Shop
from plugin.program.messages import reason_text
from plugin.program.returns import (
    ReturnOutcome,
    ReturnReason,
    ReturnVerdict,
    ShippingPaidBy,
    check_return,
    refund_due_by,
    refund_is_late,
)
from plugin.program.warranty import standard_warranty_end
from plugin.shopify.payloads import shopify_id
from plugin.shops.settings import program_settings

log = logging.getLogger(__name__)

REASONS = ("faulty", "unwanted", "damaged_in_transit", "misuse")
FAULTY_REASONS = ("faulty", "damaged_in_transit")
OPEN_STATES = ("requested", "received", "refund_late")
TRANSITIONS: dict[tuple[str, str], str] = {
    ("requested", "receive"): "received",
    ("requested", "close"): "closed",
    ("received", "refund"): "refunded",
    ("refund_late", "refund"): "refunded",
    ("received", "close"): "closed",
    ("received", "flag_late"): "refund_late",
}
LOOKUP_EVERY_SECONDS = 3600  # one Admin API read per order and hour, per process, is plenty
_recent_lookups: dict[tuple[int, str], float] = {}
_lookups_lock = threading.Lock()


class OrderNotFound(ApiError):
    def __init__(self) -> None:
        super().__init__(404, "not_found", "No such order.")


class ReturnNotPossible(ApiError):
    def __init__(self, message: str) -> None:
        super().__init__(422, "return_not_possible", message)


class ReturnAlreadyRequested(ApiError):
    def __init__(self) -> None:
        super().__init__(
            409, "already_requested", "A return for this order is already being handled."
        )


class ReturnNotFound(ApiError):
    def __init__(self) -> None:
        super().__init__(404, "not_found", "No such return request.")


class ReturnTransitionError(ApiError):
    def __init__(self, state: str, action: str) -> None:
        super().__init__(409, "invalid_transition", f"A return that is {state} cannot {action}.")


# --- the customer's side ---------------------------------------------------------------------------


def customer_order(shop: Shop, customer_id: str, member: Member | None, order_ref: str) -> Order:
    """The order (by id, GID or name) if it is this customer's (or their TESmart ID's) in this shop."""
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
    if not delivery_known:
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
    try:
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
                ReturnRequest.state.in_(OPEN_STATES),
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
        db.session.add(request)
        db.session.flush()
        audit.record(
            shop_id=shop.id,
            actor=actor,
            action="return.request",
            subject_type="return",
            subject_id=request.id,
            after={
                "order_id": order.order_id,
                "reason": reason,
                "outcome": request.outcome,
                "verdict": verdict.reason_code,
            },
        )
        delivery_known = order.delivered_at is not None
        order_id = order.order_id
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if not delivery_known:
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
        from plugin.reach.notifications import return_received

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


@periodic("returns.flag_late_refunds")
def flag_late_refunds(today: date | None = None) -> int:
    """Flag each refund the moment it becomes late, once (an audit row tells the merchant)."""
    from plugin.shops.registry import installed_shops

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
    try:
        request = db.session.execute(
            select(ReturnRequest)
            .where(ReturnRequest.shop_id == shop.id, ReturnRequest.id == return_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).scalar_one_or_none()
        if request is None:
            raise ReturnNotFound()
        target = TRANSITIONS.get((request.state, action))
        if target is None:
            raise ReturnTransitionError(request.state, action)
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
        outbox.commit()
    except Exception:
        outbox.rollback()
        raise
    return request


# --- delivery dates from the Admin API -----------------------------------------------------------


def request_delivery_lookup(shop_id: int, order_id: str) -> bool:
    """Enqueue ``lookup_delivery`` unless this process asked for the order within the hour."""
    from plugin.jobs.queue import job_queue

    now = time.monotonic()
    with _lookups_lock:
        last = _recent_lookups.get((shop_id, order_id))
        if last is not None and now - last < LOOKUP_EVERY_SECONDS:
            return False
        _recent_lookups[(shop_id, order_id)] = now
    return job_queue().enqueue(
        lookup_delivery, shop_id, order_id, queue="default", job_id=f"delivery-{shop_id}-{order_id}"
    )


def lookup_delivery(shop_id: int, order_id: str) -> str:
    """Job: read the order's fulfilments (``OrderGet``) and apply them like orders/fulfilled."""
    from plugin import outbox
    from plugin.points import orders
    from plugin.shopify.admin_api import admin_client
    from plugin.shopify.payloads import OrderSnapshot

    shop = db.session.get(Shop, shop_id)
    if shop is None or not shop.installed:
        db.session.rollback()
        return "skipped"
    node = (
        admin_client(shop)
        .execute("OrderGet", {"id": f"gid://shopify/Order/{order_id}"})
        .get("order")
    )
    if not node:
        db.session.rollback()
        return "missing"
    snapshot = OrderSnapshot.from_graphql(node)
    if not snapshot.fulfillments:
        db.session.rollback()
        return "unfulfilled"
    try:
        orders.apply_fulfilled(shop, snapshot)
        outbox.commit()
    except Exception:
        outbox.rollback()
        raise
    return "updated"


__all__ = [
    "REASONS",
    "ReturnReason",
    "check",
    "close_return",
    "create_return",
    "flag_late_refunds",
    "late_refunds",
    "lookup_delivery",
    "mark_received",
    "mark_refunded",
    "return_view",
]
