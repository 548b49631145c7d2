"""The regional shops: install, tokens (encrypted, refreshed before expiry), uninstall."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from plugin import clock
from plugin.extensions import db
from plugin.models import Reward, Shop
from plugin.program.catalogue import default_catalogue
from plugin.program.messages import format_money, title_text
from plugin.program.money import quantize
from plugin.program.regions import Region, store_of_region
from plugin.shopify.token_store import cipher


class ShopError(ValueError):
    pass


def normalize_domain(domain: str) -> str:
    domain = domain.strip().lower().removeprefix("https://").removeprefix("http://").rstrip("/")
    if not domain.endswith(".myshopify.com"):
        domain = f"{domain}.myshopify.com"
    handle = domain.removesuffix(".myshopify.com")
    if not handle or not all(c.isalnum() or c == "-" for c in handle):
        raise ShopError(f"not a shop domain: {domain!r}")
    return domain


def find_shop(domain: str) -> Shop | None:
    try:
        normalized = normalize_domain(domain)
    except ShopError:
        return None
    return db.session.execute(select(Shop).where(Shop.domain == normalized)).scalar_one_or_none()


def add_shop(
    domain: str,
    region: str,
    *,
    token: str | None = None,
    name: str | None = None,
    storefront_host: str | None = None,
    timezone: str | None = None,
) -> Shop:
    """Create (or reinstall) a regional shop with its default reward catalogue.

    ``timezone`` is the shop's IANA zone as Shopify reports it (ShopGet's ``ianaTimezone``); until
    it is known the shop keeps its region's default (POLICY.md 1)."""
    store = store_of_region(region)
    if store is None:
        raise ShopError(f"region must be one of {', '.join(Region)}, not {region!r}")
    domain = normalize_domain(domain)
    currency, locale, default_zone = store.currency, store.locale, store.default_zone
    shop = find_shop(domain)
    if shop is None:
        shop = Shop(
            domain=domain,
            region=region,
            currency=currency,
            locale=locale,
            timezone=default_zone,
            settings={},
        )
        db.session.add(shop)
        db.session.flush()
        for position, spec in enumerate(default_catalogue(currency)):
            db.session.add(
                Reward(
                    shop_id=shop.id,
                    title=reward_title(spec.kind, spec.amount, spec.percentage, currency, locale),
                    points=spec.points,
                    kind=str(spec.kind),
                    amount=spec.amount,
                    percentage=spec.percentage,
                    position=position,
                )
            )
    shop.name = name or shop.name or domain.removesuffix(".myshopify.com")
    shop.storefront_host = storefront_host or shop.storefront_host
    set_timezone(shop, timezone)
    shop.installed_at = shop.installed_at or clock.now()
    shop.uninstalled_at = None
    if token:
        # A token given by hand (custom app, demo) does not expire.
        shop.access_token_enc = cipher().encrypt(token)
        shop.access_token_expires_at = None
    return shop


def set_timezone(shop: Shop, name: object) -> bool:
    """Take the shop's IANA zone from Shopify (``ianaTimezone``) when it is a real zone; True if it
    changed. Anything else (missing, unknown) leaves the zone it had."""
    if not isinstance(name, str) or not name.strip():
        return False
    name = name.strip()
    if clock.zone(name).key != name or shop.timezone == name:
        return False
    shop.timezone = name
    return True


def needs_token_exchange(shop: Shop, now: datetime) -> bool:
    """Whether opening the app must exchange the session token for a new pair: none is stored, or
    the stored refresh token is dead (marked by a job, or past its end)."""
    if not shop.installed or not shop.access_token_enc:
        return True
    if shop.reauthorization_needed_at is not None:
        return True
    end = shop.refresh_token_expires_at
    return shop.refresh_token_enc is not None and end is not None and end <= now


def mark_uninstalled(shop: Shop) -> None:
    """app/uninstalled: the shop is marked and its tokens dropped; its data waits for
    shop/redact."""
    shop.uninstalled_at = clock.now()
    shop.access_token_enc = None
    shop.access_token_expires_at = None
    shop.refresh_token_enc = None
    shop.refresh_token_expires_at = None
    shop.reauthorization_needed_at = None


def record_scopes(shop: Shop, scopes: list[str]) -> None:
    shop.scopes = ",".join(sorted(set(scopes)))


SYMBOLS = {"USD": ("$", ""), "EUR": ("", " €"), "JPY": ("¥", ""), "KRW": ("₩", "")}


def reward_title(
    kind: str, amount: Decimal | None, percentage: Decimal | None, currency: str, locale: str = "en"
) -> str:
    """The catalogue's default titles in the store's language: "$5 off" (POLICY.md 3), "5 € Rabatt",
    "￥800割引", "₩7,000 할인", "30 % Rabatt"."""

    if str(kind) == "percentage" and percentage is not None:
        return title_text("percent_off", locale, percent=f"{percentage.normalize():f}")
    value = quantize(amount or Decimal(0), currency)
    title = "store_credit" if str(kind) == "store_credit" else "amount_off"
    if locale == "en" or not locale:
        prefix, suffix = SYMBOLS.get(currency, ("", f" {currency}"))
        text = f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"
        return title_text(title, locale, amount=f"{prefix}{text}{suffix}")
    whole = value.to_integral_value() if value == value.to_integral_value() else value
    return title_text(title, locale, amount=format_money(str(whole), currency, locale))


def shown_title(
    title: str, kind: str, amount: Decimal | None, percentage: Decimal | None, shop: Shop
) -> str:
    """A reward's title as the shopper reads it: a default title stored in English (a catalogue
    made before titles followed the store's language) is given in the store's language; a title
    the merchant wrote is theirs."""
    if shop.locale != "en" and title == reward_title(kind, amount, percentage, shop.currency):
        return reward_title(kind, amount, percentage, shop.currency, shop.locale)
    return title


def installed_shops() -> list[Shop]:
    return list(
        db.session.execute(
            select(Shop).where(Shop.uninstalled_at.is_(None)).order_by(Shop.id)
        ).scalars()
    )
