"""A trade-in's trail: the row lock, each step checked against the program's table, and the
``TradeInEvent``, notification and audit row a step writes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from plugin import clock
from plugin.benefits.tradeins.errors import TradeInNotFound, TradeInTransitionError
from plugin.database import audit
from plugin.extensions import db
from plugin.models import Shop, TradeIn, TradeInEvent
from plugin.models.types import is_row_id
from plugin.program.benefits import tradein_workflow as workflow
from plugin.program.benefits.tradein_workflow import PayoutMethod, TradeInAction, TradeInState
from plugin.reach import notifications

A, S = TradeInAction, TradeInState


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


def lock_trade_in(shop: Shop, trade_in_id: object) -> TradeIn:
    if not is_row_id(trade_in_id):
        raise TradeInNotFound()
    trade_in = find_trade_in(shop, trade_in_id, lock=True)
    if trade_in is None:
        raise TradeInNotFound()
    return trade_in


def find_trade_in(shop: Shop, trade_in_id: object, *, lock: bool = False) -> TradeIn | None:
    if not isinstance(trade_in_id, int):
        return None
    stmt = select(TradeIn).where(TradeIn.shop_id == shop.id, TradeIn.id == trade_in_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return db.session.execute(stmt).scalar_one_or_none()


def transition(
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
    plain = event_data(data or {})
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


def add_note(shop: Shop, trade_in: TradeIn, actor: str, note: str, data: dict[str, Any]) -> None:
    """A line on the trail that does not move the state (payout results)."""
    plain = event_data(data)
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


def event_data(value: Any) -> Any:
    """Event data is JSON: money as decimal strings, dates as ISO text."""
    if isinstance(value, dict):
        return {str(k): event_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [event_data(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value
