"""A shop's reward catalogue (POLICY.md 3): defaults seeded at install, edited by the merchant.

Amounts are in the shop's currency, to its minor unit (JPY and KRW have none). Every change is
audited. A redemption copies its reward's title, kind and amount, so editing or archiving a reward
never changes a code already issued. Archived rewards leave the storefront but stay for history.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from plugin.database import audit
from plugin.database.transaction import unit_of_work
from plugin.extensions import db
from plugin.models import Reward, Shop
from plugin.program.catalogue import RewardKind
from plugin.program.money import format_plain
from plugin.rewards.redemptions import validate_discount
from plugin.shops.registry import reward_title

EDITABLE = ("title", "points", "kind", "amount", "percentage", "position", "active", "tier_keys")
MAX_POINTS = 1_000_000


class RewardError(ValueError):
    """Refused input; ``field`` names the form field it concerns."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class RewardNotFound(LookupError):
    pass


def list_rewards(shop: Shop, *, include_archived: bool = False) -> list[Reward]:
    stmt = select(Reward).where(Reward.shop_id == shop.id)
    if not include_archived:
        stmt = stmt.where(Reward.active.is_(True))
    return list(db.session.execute(stmt.order_by(Reward.position, Reward.id)).scalars())


def get_reward(shop: Shop, reward_id: int) -> Reward:
    reward = db.session.execute(
        select(Reward).where(Reward.id == reward_id, Reward.shop_id == shop.id)
    ).scalar_one_or_none()
    if reward is None:
        raise RewardNotFound(f"no reward {reward_id} in {shop.domain}")
    return reward


def describe(reward: Reward, currency: str) -> dict[str, Any]:
    """The reward as plain values (money as a decimal string in the shop's currency)."""
    return {
        "id": reward.id,
        "title": reward.title,
        "points": reward.points,
        "kind": reward.kind,
        "amount": format_plain(reward.amount, currency) if reward.amount is not None else None,
        "percentage": percent_text(reward.percentage),
        "position": reward.position,
        "active": reward.active,
    }


def percent_text(value: Decimal | None) -> str | None:
    """'30' for 30.00, '12.5' for 12.50."""
    return f"{value.normalize():f}" if value is not None else None


@unit_of_work()
def create_reward(shop: Shop, actor: str, **fields: Any) -> Reward:
    """Add a reward; ``title`` defaults to the policy's wording ("$5 off", "30% off"). Commits."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise RewardError(sorted(unknown)[0], f"{sorted(unknown)[0]} cannot be set")
    values = _validated(
        shop, {"kind": None, "amount": None, "percentage": None, "active": True, **fields}
    )
    if values.get("position") is None:
        last = db.session.execute(
            select(func.max(Reward.position)).where(Reward.shop_id == shop.id)
        ).scalar()
        values["position"] = (last if last is not None else -1) + 1
    reward = Reward(shop_id=shop.id, **values)
    db.session.add(reward)
    db.session.flush()
    audit.record(
        shop_id=shop.id,
        actor=actor,
        action="reward.create",
        subject_type="reward",
        subject_id=reward.id,
        after=describe(reward, shop.currency),
    )
    return reward


@unit_of_work()
def update_reward(shop: Shop, reward_id: int, actor: str, **fields: Any) -> Reward:
    """Change some fields of a reward of ``shop``; the rest stay. Commits."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise RewardError(sorted(unknown)[0], f"{sorted(unknown)[0]} cannot be set")
    reward = get_reward(shop, reward_id)
    before = describe(reward, shop.currency)
    current = {name: getattr(reward, name) for name in EDITABLE}
    if "kind" in fields and fields["kind"] != reward.kind:
        # A new kind replaces the other kind's value instead of keeping a stale one.
        current["amount"] = None
        current["percentage"] = None
    explicit_title = "title" in fields and str(fields.get("title") or "").strip()
    merged = {**current, **fields}
    if not explicit_title and _is_default_title(reward, shop):
        merged["title"] = None  # the default wording follows a changed amount
    values = _validated(shop, merged)
    for name, value in values.items():
        if name == "position" and value is None:
            continue
        setattr(reward, name, value)
    after = describe(reward, shop.currency)
    if after != before:
        audit.record(
            shop_id=shop.id,
            actor=actor,
            action="reward.update",
            subject_type="reward",
            subject_id=reward.id,
            before=before,
            after=after,
        )
    return reward


@unit_of_work()
def archive_reward(shop: Shop, reward_id: int, actor: str) -> Reward:
    """Take a reward off the storefront (codes already issued stay valid). Commits."""
    reward = get_reward(shop, reward_id)
    if reward.active:
        reward.active = False
        audit.record(
            shop_id=shop.id,
            actor=actor,
            action="reward.archive",
            subject_type="reward",
            subject_id=reward.id,
            before={"active": True},
            after={"active": False},
        )
    return reward


def _is_default_title(reward: Reward, shop: Shop) -> bool:
    return reward.title in (
        reward_title(reward.kind, reward.amount, reward.percentage, shop.currency),
        reward_title(reward.kind, reward.amount, reward.percentage, shop.currency, shop.locale),
    )


def _validated(shop: Shop, fields: dict[str, Any]) -> dict[str, Any]:
    points = fields.get("points")
    if isinstance(points, bool) or points in (None, ""):
        raise RewardError("points", "Points are required.")
    try:
        points = int(str(points).strip())
    except ValueError as exc:
        raise RewardError("points", "Points must be a whole number.") from exc
    if not 0 < points <= MAX_POINTS:
        raise RewardError("points", f"Points must be between 1 and {MAX_POINTS:,}.")
    try:
        store_credit = fields.get("kind") == RewardKind.STORE_CREDIT
        # Store credit is an amount like a fixed-amount code, paid by storeCreditAccountCredit.
        kind, amount, percentage = validate_discount(
            shop.currency,
            RewardKind.FIXED_AMOUNT if store_credit else fields.get("kind") or "",
            fields.get("amount"),
            None if store_credit else fields.get("percentage"),
        )
        if store_credit:
            kind = RewardKind.STORE_CREDIT
    except ValueError as exc:
        field = (
            "kind" if "kind" in str(exc) else ("percentage" if "percent" in str(exc) else "amount")
        )
        raise RewardError(field, str(exc).capitalize() + ".") from exc
    title = str(fields.get("title") or "").strip() or reward_title(
        kind, amount, percentage, shop.currency, shop.locale
    )
    if len(title) > 255:
        raise RewardError("title", "The title is longer than 255 characters.")
    position = fields.get("position")
    if position is not None:
        try:
            position = int(position)
        except (TypeError, ValueError) as exc:
            raise RewardError("position", "The position must be a whole number.") from exc
    active = fields.get("active", True)
    tier_keys = fields.get("tier_keys") or None
    if tier_keys is not None:
        if isinstance(tier_keys, str):
            tier_keys = [k.strip().lower() for k in tier_keys.split(",") if k.strip()]
        if not isinstance(tier_keys, list) or not all(
            isinstance(k, str) and 0 < len(k) <= 32 for k in tier_keys
        ):
            raise RewardError("tier_keys", "Tier keys are a comma-separated list.")
        tier_keys = sorted(set(tier_keys)) or None
    return {
        "tier_keys": tier_keys,
        "title": title,
        "points": points,
        "kind": kind,
        "amount": amount,
        "percentage": percentage,
        "position": position,
        "active": bool(active),
    }
