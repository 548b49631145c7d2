"""Dated campaigns per shop: points multipliers, member-only discounts, gifts (POLICY.md 3)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import event, select, update

from plugin import clock, outbox
from plugin.database.transaction import unit_of_work
from plugin.extensions import db
from plugin.models import Campaign, Member, Order, Redemption, Shop
from plugin.program.campaigns import campaign_applies
from plugin.program.errors import Conflict, NotAllowed, NotFound
from plugin.rewards.redemptions import issue_coupon

# How long a process shows a shop's campaign list before reading it again (GET /proxy/member).
LISTING_TTL_SECONDS = 10.0


def active_campaigns(shop_id: int, at: datetime) -> list[Campaign]:
    stmt = (
        select(Campaign)
        .where(Campaign.shop_id == shop_id, Campaign.starts_at <= at, Campaign.ends_at > at)
        .order_by(Campaign.starts_at)
    )
    return list(db.session.execute(stmt).scalars())


@dataclass(frozen=True)
class CampaignListing:
    """A campaign as the storefront lists it: plain values, safe to keep between requests."""

    id: int
    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    multiplier: Decimal | None


@dataclass(frozen=True)
class _Listings:
    generation: int
    read_at: datetime  # campaigns ending after this instant were read
    expires: float  # time.monotonic() deadline
    campaigns: tuple[CampaignListing, ...]


_Key = tuple[int, datetime | None]  # the shop's id and creation time (see listed_campaigns)
_C = TypeVar("_C")
_E = TypeVar("_E")
_listings: dict[_Key, _Listings] = {}
_listings_lock = threading.Lock()
_generation = 0


def listed_campaigns(shop: Shop, at: datetime) -> list[CampaignListing]:
    """The campaigns running at ``at``, to show on the storefront (never to award or give).

    Why a per-process cache is safe here: this list is only displayed. Points multipliers, gifts
    and member codes read ``active_campaigns`` or the row itself, never this. A campaign's start
    and end are applied to every request (the cache holds every campaign not yet ended), so only a
    merchant's edit can be late, by at most LISTING_TTL_SECONDS in another process; the anonymous
    GET /proxy/member, which carries this same list, is already public for 60 s. A write through
    the ORM in this process drops the cache at once (``_campaigns_changed``). The key holds the
    shop's creation time as well as its id, so a shop made again (a reinstall after shop/redact,
    a test database emptied) never sees another shop's list.
    """
    key = (shop.id, shop.created_at)
    now = time.monotonic()
    entry = _listings.get(key)
    if (
        entry is None
        or entry.generation != _generation
        or entry.expires <= now
        or at < entry.read_at
    ):
        generation = _generation
        listed = _not_ended(
            shop,
            at,
            CampaignListing,
            (
                Campaign.id,
                Campaign.kind,
                Campaign.title,
                Campaign.starts_at,
                Campaign.ends_at,
                Campaign.multiplier,
            ),
        )
        entry = _Listings(generation, at, now + LISTING_TTL_SECONDS, listed)
        _keep(_listings, key, entry)
    return [c for c in entry.campaigns if c.starts_at <= at < c.ends_at]


def _not_ended(
    shop: Shop, at: datetime, row: Callable[..., _C], columns: tuple[Any, ...]
) -> tuple[_C, ...]:
    """The shop's campaigns not ended at ``at``, oldest start first, each ``row(*values)``."""
    rows = db.session.execute(
        select(*columns)
        .where(Campaign.shop_id == shop.id, Campaign.ends_at > at)
        .order_by(Campaign.starts_at, Campaign.id)
    ).all()
    return tuple(row(*values) for values in rows)


def _keep(cache: dict[_Key, _E], key: _Key, entry: _E) -> None:
    with _listings_lock:
        if len(cache) > 1000:  # shops come and go in tests; a real process knows four
            cache.clear()
        cache[key] = entry


def forget_listed_campaigns() -> None:
    """Drop every cached campaign list of this process (a campaign was written)."""
    global _generation
    with _listings_lock:
        _generation += 1
        _listings.clear()
        _terms.clear()


@event.listens_for(Campaign, "after_insert")
@event.listens_for(Campaign, "after_update")
@event.listens_for(Campaign, "after_delete")
def _campaigns_changed(_mapper: Any, connection: Any, target: Campaign) -> None:
    # The version moves in the write's own transaction: other processes see both at its commit.
    connection.execute(
        update(Shop)
        .where(Shop.id == target.shop_id)
        .values(campaigns_version=Shop.campaigns_version + 1)
    )
    forget_listed_campaigns()


@dataclass(frozen=True)
class CampaignTerms:
    """What awarding reads of a campaign: plain values, safe to keep between transactions."""

    id: int
    kind: str
    starts_at: datetime
    ends_at: datetime
    multiplier: Decimal | None
    min_subtotal: Decimal | None


@dataclass(frozen=True)
class _Terms:
    version: int | None
    read_at: datetime  # campaigns ending after this instant were read
    campaigns: tuple[CampaignTerms, ...]


_terms: dict[_Key, _Terms] = {}


def campaigns_in_force(shop: Shop, at: datetime) -> list[CampaignTerms]:
    """The shop's campaigns running at ``at``, for awarding: kept per process and exact.

    Every campaign write moves ``shops.campaigns_version`` in its own transaction
    (``_campaigns_changed``), and the shop's row comes with every event the worker locks, so a
    copy read under another version is read again: another process's edit counts from the first
    event after its commit, as it would uncached. A write in this process also drops the copies
    at once (the shop object it holds may not show the new version before its commit).
    """
    key = (shop.id, shop.created_at)
    entry = _terms.get(key)
    version = shop.campaigns_version
    if entry is None or entry.version != version or at < entry.read_at:
        terms = _not_ended(
            shop,
            at,
            CampaignTerms,
            (
                Campaign.id,
                Campaign.kind,
                Campaign.starts_at,
                Campaign.ends_at,
                Campaign.multiplier,
                Campaign.min_subtotal,
            ),
        )
        entry = _Terms(version, at, terms)
        _keep(_terms, key, entry)
    return [c for c in entry.campaigns if c.starts_at <= at < c.ends_at]


def multiplier_of(campaigns: list[CampaignTerms] | list[Campaign]) -> Decimal:
    multipliers = [c.multiplier or Decimal(2) for c in campaigns if c.kind == "points_multiplier"]
    return max(multipliers, default=Decimal(1))


def points_multiplier(shop_id: int, at: datetime) -> Decimal:
    """The order-points multiplier in force at ``at`` (the order's time, not the processing time,
    so a late or replayed webhook earns what the order earned when it was placed)."""
    return multiplier_of(active_campaigns(shop_id, at))


@unit_of_work()
def member_campaign_code(
    shop: Shop, member: Member, customer_id: str, campaign_id: int
) -> Redemption:
    """A member-only discount campaign: the activated member's own single-use code, once per
    campaign (POLICY.md 3). Commits."""

    campaign = db.session.execute(
        select(Campaign).where(Campaign.id == campaign_id, Campaign.shop_id == shop.id)
    ).scalar_one_or_none()
    now = clock.now()
    if (
        campaign is None
        or campaign.kind != "member_discount"
        or not (campaign.starts_at <= now < campaign.ends_at)
    ):
        raise NotFound("There is no member offer running with this id.", code="campaign_not_found")
    if not member.is_active:
        raise NotAllowed("Activate your TESmart ID to get member offers.", code="id_not_active")
    if campaign.discount_percent is None:
        raise Conflict("This campaign has no discount to give.", code="campaign_without_discount")
    redemption = issue_coupon(
        shop,
        member,
        customer_id,
        purpose="campaign",
        title=campaign.title,
        kind="percentage",
        percentage=campaign.discount_percent,
        idempotency_key=f"campaign:{campaign.id}:member:{member.id}",
    )
    return redemption


def apply_gifts(shop: Shop, order: Order, member: Member | None, paid_at: datetime) -> int:
    """Gift with purchase: an activated member's qualifying order is tagged for the warehouse to
    add the gift, through the outbox, once per campaign and order."""

    if member is None or not campaign_applies(member.activated_at, member.state, paid_at):
        return 0
    tagged = 0
    for campaign in campaigns_in_force(shop, paid_at):
        if campaign.kind != "gift" or (
            campaign.min_subtotal is not None and order.net_amount < campaign.min_subtotal
        ):
            continue
        if outbox.add(
            shop.id,
            outbox.EffectKind.ORDER_TAG.value,
            f"gift:{campaign.id}:{order.order_id}",
            {
                "id": f"gid://shopify/Order/{order.order_id}",
                "tags": ["tesmart-gift", f"tesmart-gift-{campaign.id}"],
            },
        ):
            tagged += 1
    return tagged
