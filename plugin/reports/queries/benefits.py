"""The benefits pages: trade-ins by state, the returns and warranty claims waiting, late refunds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from plugin.extensions import db
from plugin.models import ReturnRequest, TradeIn, WarrantyClaim
from plugin.program.benefits.returns import RETURN_CLOSED_STATES
from plugin.program.benefits.tradein_workflow import TradeInState
from plugin.program.benefits.warranty import CLAIM_CLOSED_STATES


def trade_ins_by_state(shop_id: int) -> dict[str, int]:
    stmt = (
        select(TradeIn.state, func.count())
        .where(TradeIn.shop_id == shop_id)
        .group_by(TradeIn.state)
    )
    found = {state: int(n) for state, n in db.session.execute(stmt)}
    ordered = {state.value: found.pop(state.value, 0) for state in TradeInState}
    return {**ordered, **found}


@dataclass(frozen=True)
class ReturnCounts:
    awaiting: int
    late_refunds: int
    refunded_late: int
    open_warranty_claims: int


def return_counts(shop_id: int, today: date) -> ReturnCounts:
    awaiting = db.session.execute(
        select(func.count())
        .select_from(ReturnRequest)
        .where(ReturnRequest.shop_id == shop_id, ReturnRequest.state.not_in(RETURN_CLOSED_STATES))
    ).scalar()
    late = db.session.execute(
        select(func.count()).select_from(ReturnRequest).where(*late_refund_filter(shop_id, today))
    ).scalar()
    refunded_late = db.session.execute(
        select(func.count())
        .select_from(ReturnRequest)
        .where(
            ReturnRequest.shop_id == shop_id,
            ReturnRequest.refunded_on.is_not(None),
            ReturnRequest.refund_due_on.is_not(None),
            ReturnRequest.refunded_on > ReturnRequest.refund_due_on,
        )
    ).scalar()
    claims = db.session.execute(
        select(func.count())
        .select_from(WarrantyClaim)
        .where(WarrantyClaim.shop_id == shop_id, WarrantyClaim.state.not_in(CLAIM_CLOSED_STATES))
    ).scalar()
    return ReturnCounts(
        int(awaiting or 0), int(late or 0), int(refunded_late or 0), int(claims or 0)
    )


def late_refund_filter(shop_id: int, today: date) -> tuple[Any, ...]:
    """POLICY.md 6: refunded within 5 working days of receipt; still unrefunded past the due day."""
    return (
        ReturnRequest.shop_id == shop_id,
        ReturnRequest.refunded_on.is_(None),
        ReturnRequest.refund_due_on.is_not(None),
        ReturnRequest.refund_due_on < today,
    )
