"""The merchant's campaigns (POLICY.md 3): dated points multipliers, member-only offers, gifts.

A campaign applies to events inside its dates; an order is judged by its own time, so editing a
campaign that has already ended would rewrite what past orders should have earned. Only campaigns
that have not ended can be edited, and only campaigns that have not started can be deleted (a
running one is ended now instead), so the past stays as it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from plugin import clock
from plugin.database import audit
from plugin.database.transaction import unit_of_work
from plugin.extensions import db
from plugin.models import Campaign, Shop
from plugin.program.money import quantize

KINDS = ("points_multiplier", "member_discount", "gift")


class CampaignInvalid(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def list_campaigns(shop_id: int) -> list[Campaign]:
    stmt = (
        select(Campaign)
        .where(Campaign.shop_id == shop_id)
        .order_by(Campaign.starts_at.desc(), Campaign.id.desc())
    )
    return list(db.session.execute(stmt).scalars())


def get_campaign(shop_id: int, campaign_id: int) -> Campaign | None:
    stmt = select(Campaign).where(Campaign.shop_id == shop_id, Campaign.id == campaign_id)
    return db.session.execute(stmt).scalar_one_or_none()


def _moment(raw: str, tz: ZoneInfo) -> datetime:
    """A datetime-local form value (``2026-11-20T00:00``) or a date, read on the store's clock
    (POLICY.md 1: a campaign starts and ends in the store's zone); a value with an offset keeps
    it."""
    raw = raw.strip()
    parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    return (
        parsed.replace(tzinfo=tz).astimezone(UTC)
        if parsed.tzinfo is None
        else parsed.astimezone(UTC)
    )


def local_input(value: datetime | None, shop: Shop) -> str:
    """A stored instant as the admin's datetime-local field shows it: the store's wall clock."""
    if value is None:
        return ""
    return value.astimezone(clock.shop_zone(shop)).strftime("%Y-%m-%dT%H:%M")


def _decimal(raw: str) -> Decimal:
    value = Decimal(raw.strip().replace(",", "."))
    if not value.is_finite():
        raise InvalidOperation
    return value


def parse(shop: Shop, data: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    text = {
        k: str(data.get(k) or "").strip()
        for k in (
            "kind",
            "title",
            "starts_at",
            "ends_at",
            "multiplier",
            "discount_percent",
            "gift_product_id",
            "min_subtotal",
        )
    }
    values: dict[str, Any] = {
        "kind": text["kind"],
        "title": text["title"],
        "multiplier": None,
        "discount_percent": None,
        "gift_product_id": None,
        "min_subtotal": None,
    }
    if values["kind"] not in KINDS:
        errors["kind"] = f"Choose one of {', '.join(KINDS)}."
    if not values["title"] or len(values["title"]) > 255:
        errors["title"] = "Give the campaign a title (up to 255 characters)."
    for name in ("starts_at", "ends_at"):
        try:
            values[name] = _moment(text[name], clock.shop_zone(shop))
        except ValueError:
            errors[name] = "Enter a date and time."
    if (
        "starts_at" not in errors
        and "ends_at" not in errors
        and values["starts_at"] >= values["ends_at"]
    ):
        errors["ends_at"] = "The campaign must end after it starts."
    if values["kind"] == "points_multiplier":
        try:
            multiplier = _decimal(text["multiplier"] or "2")
            if not Decimal(1) < multiplier <= Decimal(10):
                raise InvalidOperation
            values["multiplier"] = multiplier
        except (InvalidOperation, ValueError):
            errors["multiplier"] = (
                "Enter a multiplier above 1 and at most 10 (2 doubles order points)."
            )
    if values["kind"] == "member_discount":
        try:
            percent = _decimal(text["discount_percent"])
            if not Decimal(0) < percent <= Decimal(100):
                raise InvalidOperation
            values["discount_percent"] = percent
        except (InvalidOperation, ValueError):
            errors["discount_percent"] = "Enter a discount above 0% and at most 100%."
    if values["kind"] == "gift":
        product = text["gift_product_id"].removeprefix("gid://shopify/Product/")
        if not product.isdigit():
            errors["gift_product_id"] = "Enter the gift's Shopify product id."
        values["gift_product_id"] = product
        try:
            subtotal = _decimal(text["min_subtotal"] or "0")
            if subtotal < 0:
                raise InvalidOperation
            values["min_subtotal"] = quantize(subtotal, shop.currency)
        except (InvalidOperation, ValueError):
            errors["min_subtotal"] = "Enter the qualifying purchase amount (0 or more)."
    if errors:
        raise CampaignInvalid(errors)
    return values


def _snapshot(campaign: Campaign) -> dict[str, Any]:
    return {
        "kind": campaign.kind,
        "title": campaign.title,
        "starts_at": campaign.starts_at,
        "ends_at": campaign.ends_at,
        "multiplier": campaign.multiplier,
        "discount_percent": campaign.discount_percent,
        "gift_product_id": campaign.gift_product_id,
        "min_subtotal": campaign.min_subtotal,
    }


AUDITED = audit.Audited("campaign", "campaign", _snapshot)


@unit_of_work()
def create_campaign(shop: Shop, data: Mapping[str, Any], *, actor: str) -> Campaign:
    values = parse(shop, data)
    if values["ends_at"] <= clock.now():
        raise CampaignInvalid({"ends_at": "A new campaign must end in the future."})
    campaign = Campaign(shop_id=shop.id, details={}, **values)
    AUDITED.created(campaign, shop_id=shop.id, actor=actor)
    return campaign


@unit_of_work()
def update_campaign(
    shop: Shop, campaign: Campaign, data: Mapping[str, Any], *, actor: str
) -> Campaign:
    if campaign.shop_id != shop.id:
        raise CampaignInvalid({"campaign": "No such campaign in this shop."})
    now = clock.now()
    if campaign.ends_at <= now:
        raise CampaignInvalid({"campaign": "An ended campaign is history and cannot be changed."})
    values = parse(shop, data)
    if campaign.starts_at <= now and values["starts_at"] != campaign.starts_at:
        raise CampaignInvalid({"starts_at": "A running campaign keeps its start."})
    if values["ends_at"] <= now:
        values["ends_at"] = now
    AUDITED.changed(campaign, values, shop_id=shop.id, actor=actor)
    return campaign


@unit_of_work()
def end_or_delete_campaign(shop: Shop, campaign: Campaign, *, actor: str) -> str:
    """Delete a campaign that has not started; end a running one now. Returns what was done."""
    if campaign.shop_id != shop.id:
        raise CampaignInvalid({"campaign": "No such campaign in this shop."})
    now = clock.now()
    before = _snapshot(campaign)
    if campaign.starts_at > now:
        db.session.delete(campaign)
        done, after = "deleted", None
    elif campaign.ends_at > now:
        campaign.ends_at = now
        done, after = "ended", _snapshot(campaign)
    else:
        raise CampaignInvalid({"campaign": "The campaign has already ended."})
    AUDITED.step(campaign, done, shop_id=shop.id, actor=actor, before=before, after=after)
    return done
