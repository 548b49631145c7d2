"""VIP tiers (issue 19): optional, off by default. Pure rules; the caller passes the store's today.

A store may define tiers (say Member, VIP, VIP Plus) by points earned or money spent, over a
rolling 12 months or a lifetime. Each tier has a points multiplier on order points, may unlock
rewards only it can redeem, and a perk (free shipping or a gift). A member who reaches a
threshold moves up at once. Moving down follows the store's retention rule, and only at the end
of the member's current period (12 months from reaching the tier): at that end, after a grace
period, or never. So an edit of the tiers moves nobody down before their period ends: it only
changes what they qualify for when it does. Tiers never touch a cohort's warranty or trade-in
terms (POLICY.md 2): nothing here is read by those rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from plugin.program.calendar import add_months

BASES = ("points_earned", "money_spent")
WINDOWS = ("rolling_12_months", "lifetime")
RETENTIONS = ("period_end", "grace", "never")
PERKS = (None, "free_shipping", "gift")
PERIOD_MONTHS = 12
MAX_TIERS = 10


class TiersInvalid(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Tier:
    key: str
    name: str
    threshold: Decimal  # points, or money in the store's currency
    multiplier: Decimal = Decimal(1)
    perk: str | None = None
    perk_detail: str = ""


@dataclass(frozen=True)
class TierRules:
    enabled: bool = False
    basis: str = "points_earned"
    window: str = "rolling_12_months"
    retention: str = "period_end"
    grace_months: int = 0
    tiers: tuple[Tier, ...] = field(default_factory=tuple)

    def by_key(self, key: str | None) -> Tier | None:
        return next((t for t in self.tiers if t.key == key), None)

    def rank(self, key: str | None) -> int:
        return next((i for i, t in enumerate(self.tiers) if t.key == key), -1)


def parse_rules(raw: dict[str, Any] | None) -> TierRules:
    """The stored JSON as rules; ``TiersInvalid`` names every field that is wrong."""
    raw = raw or {}
    errors: dict[str, str] = {}
    basis = str(raw.get("basis") or "points_earned")
    window = str(raw.get("window") or "rolling_12_months")
    retention = str(raw.get("retention") or "period_end")
    if basis not in BASES:
        errors["basis"] = f"one of {', '.join(BASES)}"
    if window not in WINDOWS:
        errors["window"] = f"one of {', '.join(WINDOWS)}"
    if retention not in RETENTIONS:
        errors["retention"] = f"one of {', '.join(RETENTIONS)}"
    try:
        grace = int(raw.get("grace_months") or 0)
        if not 0 <= grace <= 24:
            raise ValueError
    except (TypeError, ValueError):
        errors["grace_months"] = "a whole number of months from 0 to 24"
        grace = 0
    tiers: list[Tier] = []
    items = raw.get("tiers") or []
    if not isinstance(items, list) or len(items) > MAX_TIERS:
        errors["tiers"] = f"a list of at most {MAX_TIERS} tiers"
        items = []
    for index, item in enumerate(items):
        where = f"tiers.{index}"
        if not isinstance(item, dict):
            errors[where] = "a tier"
            continue
        key = str(item.get("key") or "").strip().lower()
        name = str(item.get("name") or "").strip()
        if not key or not key.replace("_", "").replace("-", "").isalnum() or len(key) > 32:
            errors[f"{where}.key"] = "letters, digits, - or _, up to 32"
        if not name or len(name) > 64:
            errors[f"{where}.name"] = "a name of 1 to 64 characters"
        try:
            threshold = Decimal(str(item.get("threshold", "0")))
            multiplier = Decimal(str(item.get("multiplier", "1")))
        except InvalidOperation:
            errors[f"{where}.threshold"] = "a number"
            continue
        if not threshold.is_finite() or threshold < 0:
            errors[f"{where}.threshold"] = "zero or more"
        if not multiplier.is_finite() or not Decimal(1) <= multiplier <= Decimal(10):
            errors[f"{where}.multiplier"] = "from 1 to 10"
        perk = item.get("perk") or None
        if perk not in PERKS:
            errors[f"{where}.perk"] = "free_shipping, gift or none"
        tiers.append(
            Tier(key, name, threshold, multiplier, perk, str(item.get("perk_detail") or "")[:200])
        )
    keys = [t.key for t in tiers]
    if len(set(keys)) != len(keys):
        errors["tiers"] = "each tier needs its own key"
    thresholds = [t.threshold for t in tiers]
    if thresholds != sorted(thresholds) or len(set(thresholds)) != len(thresholds):
        errors["tiers"] = "thresholds must rise from one tier to the next"
    if tiers and tiers[0].threshold != 0:
        errors["tiers.0.threshold"] = "the first tier starts at 0"
    enabled = bool(raw.get("enabled", False))
    if enabled and not tiers:
        errors["tiers"] = "at least one tier to turn tiers on"
    if errors:
        raise TiersInvalid(errors)
    return TierRules(enabled, basis, window, retention, grace, tuple(tiers))


def qualifying(rules: TierRules, amount: Decimal) -> Tier | None:
    """The highest tier whose threshold ``amount`` reaches."""
    found = None
    for tier in rules.tiers:
        if amount >= tier.threshold:
            found = tier
    return found


def window_start(rules: TierRules, today: date) -> date | None:
    """The first day counted (None: the whole history)."""
    return add_months(today, -PERIOD_MONTHS) if rules.window == "rolling_12_months" else None


@dataclass(frozen=True)
class Move:
    to: Tier | None
    cause: str  # "qualified" | "period_end" | "grace_end"
    period_ends_on: date | None


def decide(
    rules: TierRules,
    current_key: str | None,
    period_ends_on: date | None,
    amount: Decimal,
    today: date,
) -> Move | None:
    """What happens to a member holding ``current_key`` whose qualifying amount is ``amount``.

    Up at once; the same tier reached again renews the period; down only once the period (and
    the grace, under that rule) has ended, and never under "never".
    """
    target = qualifying(rules, amount)
    if current_key is not None and rules.rank(current_key) < 0:
        # The member's tier was removed by an edit: an edit alone moves nobody down, so they
        # keep it until their period ends, then get what they qualify for.
        if period_ends_on is not None and today < period_ends_on:
            return None
        return Move(target, "period_end", add_months(today, PERIOD_MONTHS))
    current_rank, target_rank = rules.rank(current_key), rules.rank(target.key if target else None)
    new_period = add_months(today, PERIOD_MONTHS)
    if target_rank > current_rank:
        return Move(target, "qualified", new_period)
    if target_rank == current_rank:
        if target is not None and period_ends_on is not None and today >= period_ends_on:
            return Move(target, "renewed", new_period)  # qualified again for another period
        return None
    # target below current (or current no longer defined by an edit)
    if rules.retention == "never" and rules.rank(current_key) >= 0:
        return None
    if period_ends_on is None:
        return None
    ends = (
        period_ends_on
        if rules.retention != "grace"
        else add_months(period_ends_on, rules.grace_months)
    )
    if today < ends:
        return None
    return Move(target, "grace_end" if rules.retention == "grace" else "period_end", new_period)
