"""The merchant edits a shop's program settings: validated, stored on the shop, audited.

Settings are read by the handlers when an event is applied, so a change takes effect for new
events only; nothing already in the ledger is recomputed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import exists, func, select

from plugin.database import audit
from plugin.database.transaction import unit_of_work
from plugin.extensions import db
from plugin.models import Member, Shop, ShopCustomer
from plugin.program.categories import CATEGORIES
from plugin.shops.settings import ProgramSettings, program_settings

SECTIONS = ("earning", "categories", "cohorts", "trade_in", "program", "loyalty")
EARNING_FIELDS = ("signup", "newsletter", "survey", "order", "review", "review_with_photos")
DEDUCTION_FIELDS = ("cosmetic_wear", "missing_accessories", "packaging")
MAX_POINTS = 1_000_000


class SettingsInvalid(ValueError):
    """One message per form field that did not validate."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class _Form:
    data: Mapping[str, Any]
    errors: dict[str, str]

    def text(self, name: str) -> str:
        return str(self.data.get(name) or "").strip()

    def whole(
        self, name: str, low: int, high: int, *, blank: int | None = None, optional: bool = False
    ) -> int | None:
        raw = self.text(name)
        if raw == "":
            if optional:
                return blank
            self.errors[name] = "Required."
            return None
        try:
            value = int(raw.replace(",", "").replace("_", ""))
        except ValueError:
            self.errors[name] = "Enter a whole number."
            return None
        if not low <= value <= high:
            self.errors[name] = f"Enter a number from {low:,} to {high:,}."
            return None
        return value

    def decimal(
        self,
        name: str,
        low: Decimal,
        high: Decimal,
        *,
        optional: bool = False,
        exclusive_low: bool = False,
    ) -> Decimal | None:
        raw = self.text(name)
        if raw == "":
            if not optional:
                self.errors[name] = "Required."
            return None
        try:
            value = Decimal(raw.replace(",", "."))
        except InvalidOperation:
            self.errors[name] = "Enter a number."
            return None
        if not value.is_finite() or value < low or value > high or (exclusive_low and value == low):
            self.errors[name] = (
                f"Enter a number above {low} and at most {high}."
                if exclusive_low
                else f"Enter a number from {low} to {high}."
            )
            return None
        return value

    def day(self, name: str) -> date | None:
        try:
            return date.fromisoformat(self.text(name))
        except ValueError:
            self.errors[name] = "Enter a date as YYYY-MM-DD."
            return None


def parse_category_mapping(text: str, errors: dict[str, str]) -> dict[str, str]:
    """One ``product type = category`` per line."""
    mapping: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        product_type, sep, category = line.partition("=")
        product_type, category = product_type.strip().lower(), category.strip().lower()
        if not sep or not product_type:
            errors["category_mapping"] = f"Line {number}: write it as 'product type = category'."
            break
        if category not in CATEGORIES:
            errors["category_mapping"] = (
                f"Line {number}: the category must be one of {', '.join(CATEGORIES)}."
            )
            break
        if len(product_type) > 255:
            errors["category_mapping"] = f"Line {number}: the product type is too long."
            break
        mapping[product_type] = category
    return mapping


def _section_values(section: str, form: _Form) -> dict[str, Any]:
    if section == "earning":
        earning: dict[str, Any] = {name: form.whole(name, 0, MAX_POINTS) for name in EARNING_FIELDS}
        per_unit = form.decimal(
            "per_currency_unit", Decimal(0), Decimal(1000), optional=True, exclusive_low=True
        )
        earning["per_currency_unit"] = str(per_unit) if per_unit is not None else None
        return {"earning": earning}
    if section == "categories":
        return {
            "category_mapping": parse_category_mapping(form.text("category_mapping"), form.errors)
        }
    if section == "cohorts":
        legacy, april = form.day("legacy_until"), form.day("april_until")
        if legacy and april and not legacy < april:
            form.errors["april_until"] = "The 2025-04 cutoff must come after the legacy cutoff."
        return {
            "cutoffs": {
                "legacy_until": legacy.isoformat() if legacy else None,
                "april_until": april.isoformat() if april else None,
            }
        }
    if section == "trade_in":
        deductions = {
            name: form.decimal(name, Decimal(0), Decimal(100)) for name in DEDUCTION_FIELDS
        }
        return {
            "deductions": {k: str(v) if v is not None else None for k, v in deductions.items()},
            "trade_in_ship_within_days": form.whole("trade_in_ship_within_days", 1, 365),
        }
    if section == "program":
        return {
            "referral_monthly_cap": form.whole("referral_monthly_cap", 0, 10_000),
            # Blank or 0: points never expire (the default, POLICY.md 3).
            "points_expiry_months": form.whole("points_expiry_months", 0, 120, optional=True)
            or None,
            "return_window_days": form.whole("return_window_days", 1, 365),
            "award_test_orders": form.text("award_test_orders") in ("1", "on", "true", "yes"),
            "adjustment_confirm_threshold": form.whole(
                "adjustment_confirm_threshold", 1, 1_000_000, optional=True, blank=5_000
            ),
        }
    if section == "loyalty":  # issue 19's optional features, each off by default
        return {
            "birthday_enabled": form.text("birthday_enabled") in ("1", "on", "true", "yes"),
            "birthday_points": form.whole("birthday_points", 0, MAX_POINTS),
            # Blank or 0: store credit bought with points never expires.
            "store_credit_expiry_months": form.whole(
                "store_credit_expiry_months", 0, 120, optional=True
            )
            or None,
        }
    raise SettingsInvalid({"section": f"Unknown settings section {section!r}."})


@unit_of_work()
def update_settings(
    shop: Shop, section: str, data: Mapping[str, Any], *, actor: str
) -> ProgramSettings:
    """Validate one section of the settings form and store it; commits. Raises SettingsInvalid."""
    form = _Form(data, {})
    values = _section_values(section, form)
    if form.errors:
        raise SettingsInvalid(form.errors)
    current = dict(shop.settings or {})
    updated = {**current, **values}
    try:  # the typed view must read it back (the dataclasses check the ranges once more)
        checked = program_settings(_Probe(updated))
    except (ValueError, TypeError) as exc:
        raise SettingsInvalid({"section": str(exc)}) from exc
    before = {key: current.get(key) for key in values}
    if before == values:
        return checked
    shop.settings = updated  # a new object, so the JSON column is seen as changed
    audit.record(
        shop_id=shop.id,
        actor=actor,
        action=f"settings.{section}",
        subject_type="shop",
        subject_id=shop.id,
        before=before,
        after=values,
    )
    return checked


@dataclass(frozen=True)
class CutoffChange:
    """One moved cutoff and the existing members of the shop it would have moved: registered in
    the span between the old and the new day. They keep their cohort (POLICY.md 2)."""

    field: str
    label: str
    old: date
    new: date
    members: int

    @property
    def span(self) -> tuple[date, date]:
        low, high = sorted((self.old, self.new))
        return low + timedelta(days=1), high


CUTOFF_LABELS = {"legacy_until": "Legacy cutoff", "april_until": "2025-04 cutoff"}


def cohort_changes(shop: Shop, data: Mapping[str, Any]) -> list[CutoffChange]:
    """What saving the cohorts form would change, before it is saved: for each cutoff moved, how
    many existing members of this shop registered between the old and the new day. None of them
    moves: their cohort was stored when it was fixed, and a change applies only to members who
    register after it. Raises SettingsInvalid like ``update_settings``."""
    form = _Form(data, {})
    values = _section_values("cohorts", form)["cutoffs"]
    if form.errors:
        raise SettingsInvalid(form.errors)
    current = program_settings(shop).cutoffs
    changes = []
    for name, label in CUTOFF_LABELS.items():
        old, new = getattr(current, name), date.fromisoformat(values[name])
        if old == new:
            continue
        low, high = sorted((old, new))
        count = db.session.execute(
            select(func.count(Member.id)).where(
                Member.cohort.is_not(None),
                Member.registered_on > low,
                Member.registered_on <= high,
                exists().where(
                    ShopCustomer.shop_id == shop.id, ShopCustomer.member_id == Member.id
                ),
            )
        ).scalar_one()
        changes.append(CutoffChange(name, label, old, new, int(count)))
    return changes


@dataclass
class _Probe:
    settings: dict[str, Any]


def form_values(shop: Shop) -> dict[str, Any]:
    """The current settings as the form shows them."""
    current = program_settings(shop)
    values: dict[str, Any] = {name: getattr(current.earning, name) for name in EARNING_FIELDS}
    per_unit = current.earning.per_currency_unit
    values["per_currency_unit"] = "" if per_unit is None else str(per_unit)
    values["category_mapping"] = "\n".join(
        f"{k} = {v}" for k, v in sorted(current.category_mapping.items())
    )
    values["legacy_until"] = current.cutoffs.legacy_until.isoformat()
    values["april_until"] = current.cutoffs.april_until.isoformat()
    for name in DEDUCTION_FIELDS:
        values[name] = str(getattr(current.deductions, name))
    values["trade_in_ship_within_days"] = current.trade_in_ship_within_days
    values["referral_monthly_cap"] = current.referral_monthly_cap
    values["points_expiry_months"] = current.points_expiry_months or ""
    values["return_window_days"] = current.return_window_days
    values["award_test_orders"] = current.award_test_orders
    values["adjustment_confirm_threshold"] = current.adjustment_confirm_threshold
    values["birthday_enabled"] = current.birthday_enabled
    values["birthday_points"] = current.birthday_points
    values["store_credit_expiry_months"] = current.store_credit_expiry_months or ""
    return values
