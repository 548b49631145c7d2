"""A shop's program settings: POLICY.md defaults, overridden per store by the merchant.

Stored as JSON on the shop; read through one typed view so every rule gets the same answer.
Changes take effect for new events only, because handlers read them when an event is applied.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from plugin.models import Shop
from plugin.program.benefits.returns import RETURN_WINDOW_DAYS
from plugin.program.benefits.tradein import DEFAULT_DEDUCTIONS, SHIP_WITHIN_DAYS, TradeInDeductions
from plugin.program.birthday import DEFAULT_BIRTHDAY_POINTS
from plugin.program.categories import DEFAULT_CATEGORY_MAPPING
from plugin.program.cohorts import DEFAULT_CUTOFFS, CohortCutoffs
from plugin.program.earning import DEFAULT_EARNING_RULES, EarningRules
from plugin.program.referrals import DEFAULT_MONTHLY_CAP


@dataclass(frozen=True)
class ProgramSettings:
    earning: EarningRules = DEFAULT_EARNING_RULES
    category_mapping: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_CATEGORY_MAPPING))
    cutoffs: CohortCutoffs = DEFAULT_CUTOFFS
    deductions: TradeInDeductions = DEFAULT_DEDUCTIONS
    referral_monthly_cap: int = DEFAULT_MONTHLY_CAP
    points_expiry_months: int | None = None  # off by default
    trade_in_ship_within_days: int = SHIP_WITHIN_DAYS
    return_window_days: int = RETURN_WINDOW_DAYS
    award_test_orders: bool = False  # Shopify test orders (Bogus gateway) earn nothing by default
    # A manual points adjustment larger than this (either way) needs the merchant's confirmation.
    adjustment_confirm_threshold: int = 5_000
    # Issue 19's optional features, each off until the store turns it on.
    birthday_enabled: bool = False
    birthday_points: int = DEFAULT_BIRTHDAY_POINTS
    store_credit_expiry_months: int | None = None  # store-credit rewards never expire by default


# What a shop that has changed nothing gets: every default is written once, above.
DEFAULTS = ProgramSettings()
# The parsed settings of each shop this process has read, with the JSON they were parsed from: a
# shop whose stored settings are equal to that JSON gets the same (frozen) answer without parsing
# again, and any change to them, from whichever process, is read anew. Equality is the whole test.
_parsed: dict[int, tuple[dict[str, Any], ProgramSettings]] = {}


class HoldsSettings(Protocol):
    """A shop, or a form's probe of settings not stored yet."""

    @property
    def settings(self) -> dict[str, Any]: ...


def program_settings(shop: Shop | HoldsSettings) -> ProgramSettings:
    raw: dict[str, Any] = shop.settings or {}
    shop_id = getattr(shop, "id", None)  # a form's probe of settings not stored has none
    known = _parsed.get(shop_id) if shop_id is not None else None
    if known is not None and known[0] == raw:
        return known[1]
    parsed = _parse(raw)
    if shop_id is None:
        return parsed
    if len(_parsed) > 1000:  # shops come and go in tests; a real process knows four
        _parsed.clear()
    _parsed[shop_id] = (copy.deepcopy(raw), parsed)
    return parsed


def _parse(raw: dict[str, Any]) -> ProgramSettings:
    earning_raw = raw.get("earning") or {}
    earning = EarningRules(
        **{k: int(v) for k, v in earning_raw.items() if k != "per_currency_unit"},
        per_currency_unit=(
            Decimal(str(earning_raw["per_currency_unit"]))
            if earning_raw.get("per_currency_unit") not in (None, "")
            else None
        ),
    )
    cutoffs_raw = raw.get("cutoffs") or {}
    cutoffs = CohortCutoffs(
        legacy_until=date.fromisoformat(
            cutoffs_raw.get("legacy_until", DEFAULT_CUTOFFS.legacy_until.isoformat())
        ),
        april_until=date.fromisoformat(
            cutoffs_raw.get("april_until", DEFAULT_CUTOFFS.april_until.isoformat())
        ),
    )
    deductions_raw = raw.get("deductions") or {}
    deductions = TradeInDeductions(**{k: Decimal(str(v)) for k, v in deductions_raw.items()})
    expiry = raw.get("points_expiry_months")
    credit_expiry = raw.get("store_credit_expiry_months")
    return ProgramSettings(
        earning=earning,
        category_mapping=raw.get("category_mapping") or dict(DEFAULT_CATEGORY_MAPPING),
        cutoffs=cutoffs,
        deductions=deductions,
        referral_monthly_cap=int(raw.get("referral_monthly_cap", DEFAULTS.referral_monthly_cap)),
        points_expiry_months=int(expiry) if expiry not in (None, "", 0) else None,
        trade_in_ship_within_days=int(
            raw.get("trade_in_ship_within_days", DEFAULTS.trade_in_ship_within_days)
        ),
        return_window_days=int(raw.get("return_window_days", DEFAULTS.return_window_days)),
        award_test_orders=bool(raw.get("award_test_orders", DEFAULTS.award_test_orders)),
        adjustment_confirm_threshold=int(
            raw.get("adjustment_confirm_threshold", DEFAULTS.adjustment_confirm_threshold)
        ),
        birthday_enabled=bool(raw.get("birthday_enabled", DEFAULTS.birthday_enabled)),
        birthday_points=int(raw.get("birthday_points", DEFAULTS.birthday_points)),
        store_credit_expiry_months=int(credit_expiry)
        if credit_expiry not in (None, "", 0)
        else None,
    )
