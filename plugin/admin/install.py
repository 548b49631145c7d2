"""First open of the app in a shop's admin: token exchange, and the shop's row if it is new.

Shopify's managed install means the first thing the app sees of a new shop may be the merchant
opening it: the session token is exchanged for an expiring offline token (stored encrypted), and
a shop that is not yet a row is created. The exchange is repeated when a job found the shop's
refresh token dead (``reauthorization_needed_at``) or it is past its end; the Admin API work that
waited for it is then made due again. Its region comes from the shop's currency (ShopGet);
when that cannot be read, from its domain (``-eu``/``-de`` → eu, ``-jp`` → jp, ``-kr`` → kr,
else us, the store serving every country without its own, POLICY.md 1).
"""

from __future__ import annotations

import logging
import re

from flask import current_app
from shopify_app.types import IdTokenDetails
from sqlalchemy.exc import IntegrityError

from plugin import clock, outbox
from plugin.database.transaction import savepoint, unit_of_work
from plugin.extensions import db
from plugin.models import Shop
from plugin.shopify.admin_api import app_config, cost_buckets, http_client
from plugin.shopify.client import AdminApiError, AdminClient
from plugin.shopify.token_store import store_token
from plugin.shopify.tokens import OfflineToken, TokenExchangeFailed, exchange_offline_token
from plugin.shops.registry import add_shop, find_shop, needs_token_exchange

log = logging.getLogger(__name__)

REGION_BY_CURRENCY = {"USD": "us", "EUR": "eu", "JPY": "jp", "KRW": "kr"}
REGION_BY_DOMAIN = (
    (re.compile(r"(^|[-.])(eu|de)($|[-.])"), "eu"),
    (re.compile(r"(^|[-.])(jp|ja)($|[-.])"), "jp"),
    (re.compile(r"(^|[-.])(kr|ko)($|[-.])"), "kr"),
)


class InstallFailed(Exception):
    """The app could not get an access token for the shop; the message is for the merchant."""


def region_for_domain(domain: str) -> str:
    handle = domain.removesuffix(".myshopify.com").lower()
    for pattern, region in REGION_BY_DOMAIN:
        if pattern.search(handle):
            return region
    return "us"


def shop_for_session(domain: str, id_token: IdTokenDetails) -> Shop:
    """The token's shop, installed and holding a live offline token (exchanged now if it has none,
    or if its refresh token is dead)."""
    shop = find_shop(domain)
    if shop is not None and not needs_token_exchange(shop, clock.now()):
        return shop
    token = _exchange(id_token)
    with unit_of_work():
        if shop is None:
            shop = _create(domain, token)
        reauthorized = shop.reauthorization_needed_at is not None
        store_token(shop, token)
        if reauthorized:
            outbox.release_waiting(shop.id)
    return shop


def _exchange(id_token: IdTokenDetails) -> OfflineToken:
    try:
        return exchange_offline_token(app_config(), id_token, http_client())
    except TokenExchangeFailed as exc:
        log.warning("token exchange failed: %s", exc.code)
        raise InstallFailed(
            "Shopify did not give the app access to your store. Open the app again in a minute."
        ) from exc


def _create(domain: str, token: OfflineToken) -> Shop:
    name, host, region, zone = None, None, None, None
    try:
        client = AdminClient(
            domain,
            token.access_token,
            http_client=http_client(),
            api_version=current_app.config["API_VERSION"],
            max_wait_seconds=2.0,
            buckets=cost_buckets(),
        )
        data = client.execute("ShopGet", {}).get("shop") or {}
        region = REGION_BY_CURRENCY.get(str(data.get("currencyCode") or "").upper())
        name = data.get("name") or None
        host = (data.get("primaryDomain") or {}).get("host") or None
        zone = data.get("ianaTimezone") or None
    except AdminApiError as exc:
        log.warning("ShopGet failed for %s: %s", domain, exc)
    try:
        with savepoint():
            shop = add_shop(
                domain,
                region or region_for_domain(domain),
                name=name,
                storefront_host=host if host and not host.endswith(".myshopify.com") else None,
                timezone=zone,
            )
            db.session.flush()
    except IntegrityError:  # opened twice at once: the other request created it
        found = find_shop(domain)
        if found is None:
            raise
        shop = found
    return shop
