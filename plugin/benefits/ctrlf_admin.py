"""CTRL F programs as the merchant creates and edits them (POLICY.md section 7).

One validated parse for both, plain messages per field, an audit row per change. A program's
percent is what selected testers' codes carry (capped by their cohort, see services.ctrlf).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from plugin import clock
from plugin.database import audit
from plugin.database.transaction import unit_of_work
from plugin.models import CtrlFProgram, Shop
from plugin.program.benefits.ctrlf import ADVERTISED_PERCENT

STATES = ("open", "closed")
FIELDS = (
    "title",
    "product_title",
    "product_id",
    "discount_percent",
    "seats",
    "applications_close_on",
    "feedback_due_on",
    "state",
)


class ProgramInvalid(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def parse(data: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}

    def text(name: str, limit: int, required: bool = True) -> str | None:
        value = str(data.get(name) or "").strip()
        if not value:
            if required:
                errors[name] = "Required."
            return None
        if len(value) > limit:
            errors[name] = f"Keep it under {limit} characters."
        return value[:limit]

    def day(name: str) -> date | None:
        raw = str(data.get(name) or "").strip()
        if not raw:
            errors[name] = "Pick a date."
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            errors[name] = "Enter a date such as 2026-12-31."
            return None

    values: dict[str, Any] = {
        "title": text("title", 255),
        "product_title": text("product_title", 255),
        "product_id": None,
    }
    product_id = str(data.get("product_id") or "").strip()
    if product_id:
        numeric = product_id.rsplit("/", 1)[-1]  # the resource picker gives a GID
        if not numeric.isdigit() or len(numeric) > 20:
            errors["product_id"] = "Choose the product with the picker, or leave it blank."
        else:
            values["product_id"] = numeric
    raw_percent = (
        str(data.get("discount_percent") or "").strip().replace(",", ".").rstrip("%").strip()
    )
    if raw_percent:
        try:
            percent = Decimal(raw_percent)
        except InvalidOperation:
            percent = None
        if percent is None or not percent.is_finite() or not Decimal(0) < percent <= Decimal(100):
            errors["discount_percent"] = "Enter a percentage from 1 to 100."
        else:
            values["discount_percent"] = percent.quantize(Decimal("0.01"))
    else:
        values["discount_percent"] = ADVERTISED_PERCENT
    raw_seats = str(data.get("seats") or "").strip()
    if not raw_seats.isdigit() or not 1 <= int(raw_seats) <= 10_000:
        errors["seats"] = "Enter how many testers, from 1 to 10,000."
    else:
        values["seats"] = int(raw_seats)
    closes, due = day("applications_close_on"), day("feedback_due_on")
    if closes and due and due <= closes:
        errors["feedback_due_on"] = "Feedback is due after applications close."
    values["applications_close_on"], values["feedback_due_on"] = closes, due
    state = str(data.get("state") or "open")
    if state not in STATES:
        errors["state"] = "Choose open or closed."
    values["state"] = state
    if errors:
        raise ProgramInvalid(errors)
    return values


def _snapshot(program: CtrlFProgram) -> dict[str, Any]:
    return {name: getattr(program, name) for name in FIELDS}


AUDITED = audit.Audited("ctrl_f_program", "ctrl_f", _snapshot)


@unit_of_work()
def create_program(shop: Shop, data: Mapping[str, Any], *, actor: str) -> CtrlFProgram:
    values = parse(data)
    program = CtrlFProgram(shop_id=shop.id, created_at=clock.now(), **values)
    AUDITED.created(program, shop_id=shop.id, actor=actor)
    return program


@unit_of_work()
def update_program(
    shop: Shop, program: CtrlFProgram, data: Mapping[str, Any], *, actor: str
) -> CtrlFProgram:
    if program.shop_id != shop.id:
        raise ProgramInvalid({"program": "No such program in this store."})
    AUDITED.changed(program, parse(data), shop_id=shop.id, actor=actor, only_changed=True)
    return program
