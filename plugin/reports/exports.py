"""CSV exports of one shop's members, ledger and trade-ins, produced row by row.

Each export is a generator of CSV text chunks over a query read with ``yield_per``, so any size
streams in constant memory (the web layer wraps it in a streamed response).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from plugin.accounts import cohort_of, id_status
from plugin.extensions import db
from plugin.models import Device, Member, PointEntry, Shop, TradeIn
from plugin.reports.queries.members import shop_members
from plugin.shops.settings import program_settings

BATCH = 1000
# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# ...or anywhere after a character a spreadsheet may split the cell on: German Excel reads
# `x;=HYPERLINK(...)` as two cells, the second a formula. Full-width forms count too.
_FORMULA_INSIDE = re.compile(r"[;,|\t\r\n\uff1b\uff0c]\s*[=+\-@\uff1d\uff0b\uff0d\uff20]")

EXPORTS = ("members", "ledger", "trade-ins")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    return (
        "'" + text
        if text.lstrip(" ").startswith(FORMULA_START) or _FORMULA_INSIDE.search(text)
        else text
    )


class _Rows:
    """Formats rows as CSV lines, one chunk per call."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\r\n")

    def line(self, row: Sequence[Any]) -> str:
        self.writer.writerow([_cell(v) for v in row])
        text = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate(0)
        return text


def _chunks(
    header: Sequence[str], rows: Iterator[Sequence[Any]], per_chunk: int = 200
) -> Iterator[str]:
    out = _Rows()
    yield out.line(header)
    pending: list[str] = []
    for row in rows:
        pending.append(out.line(row))
        if len(pending) >= per_chunk:
            yield "".join(pending)
            pending = []
    if pending:
        yield "".join(pending)


def members_csv(shop: Shop) -> Iterator[str]:
    cutoffs = program_settings(shop).cutoffs
    stmt, _customer = shop_members(shop.id)
    stmt = stmt.order_by(Member.id).execution_options(yield_per=BATCH)

    def rows() -> Iterator[Sequence[Any]]:
        for member, customer_id, first, last, bal in db.session.execute(stmt):
            cohort = cohort_of(member, cutoffs)
            yield (
                member.id,
                member.email,
                customer_id,
                first,
                last,
                id_status(member),
                member.state,
                cohort.value if cohort else None,
                member.registered_at,
                member.activated_at,
                member.imported,
                int(bal or 0),
            )

    header = (
        "member_id",
        "email",
        "customer_id",
        "first_name",
        "last_name",
        "status",
        "state",
        "cohort",
        "registered_at",
        "activated_at",
        "imported",
        "balance",
    )
    return _chunks(header, rows())


def ledger_csv(shop: Shop, member_id: int | None = None) -> Iterator[str]:
    stmt = (
        select(PointEntry, Member.email)
        .outerjoin(Member, Member.id == PointEntry.member_id)
        .where(PointEntry.shop_id == shop.id)
        .order_by(PointEntry.id)
        .execution_options(yield_per=BATCH)
    )
    if member_id is not None:
        stmt = stmt.where(PointEntry.member_id == member_id)

    def rows() -> Iterator[Sequence[Any]]:
        for entry, email in db.session.execute(stmt):
            yield (
                entry.id,
                entry.created_at,
                entry.member_id,
                email,
                entry.delta,
                entry.kind,
                entry.cause_key,
                entry.note,
                entry.actor,
            )

    header = (
        "entry_id",
        "created_at",
        "member_id",
        "email",
        "delta",
        "kind",
        "cause_key",
        "note",
        "actor",
    )
    return _chunks(header, rows())


def trade_ins_csv(shop: Shop) -> Iterator[str]:
    stmt = (
        select(TradeIn, Member.email, Device.title, Device.order_name)
        .outerjoin(Member, Member.id == TradeIn.member_id)
        .outerjoin(Device, Device.id == TradeIn.device_id)
        .where(TradeIn.shop_id == shop.id)
        .order_by(TradeIn.id)
        .execution_options(yield_per=BATCH)
    )

    def rows() -> Iterator[Sequence[Any]]:
        for trade_in, email, title, order_name in db.session.execute(stmt):
            yield (
                trade_in.id,
                trade_in.state,
                trade_in.member_id,
                email,
                trade_in.device_id,
                title,
                order_name,
                trade_in.serial,
                trade_in.cohort,
                trade_in.kind,
                trade_in.percent,
                trade_in.value,
                trade_in.currency,
                trade_in.payout_method,
                trade_in.tracking_number,
                trade_in.carrier,
                trade_in.ship_by,
                trade_in.created_at,
                trade_in.updated_at,
            )

    header = (
        "trade_in_id",
        "state",
        "member_id",
        "email",
        "device_id",
        "device",
        "order",
        "serial",
        "cohort",
        "kind",
        "percent",
        "value",
        "currency",
        "payout_method",
        "tracking_number",
        "carrier",
        "ship_by",
        "created_at",
        "updated_at",
    )
    return _chunks(header, rows())


def export(shop: Shop, name: str) -> Iterator[str]:
    if name == "members":
        return members_csv(shop)
    if name == "ledger":
        return ledger_csv(shop)
    if name == "trade-ins":
        return trade_ins_csv(shop)
    raise KeyError(name)
