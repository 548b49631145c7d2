"""Points for Shopify store credit (issue 19): a reward of kind ``store_credit``.

Store credit combines with discount codes and can be partly spent; on every plan a shopper with a
new customer account can use it at checkout. The reward is offered only where the store's
``storeCreditConfiguration`` allows it (and the store has new customer accounts, where
shoppers can spend it: the trade-in payout's check, ``plugin.shopify.store_credit``); it is paid by
``storeCreditAccountCredit`` through the outbox with the trade-in payout's at-most-once guards
(``plugin.effects.store_credit``), may expire after the months the store sets, and is taken back by
``storeCreditAccountDebit`` when the membership is cancelled, for the part still unspent only.

Whether store credit is on is asked of Shopify by jobs and the admin, never on a shopper's
request: the answer is kept on the shop (``settings.store_credit_configuration``) and refreshed
by the sweep every hour, and the credit job asks once more right before paying.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from plugin import clock
from plugin.database.transaction import unit_of_work
from plugin.extensions import db
from plugin.models import Redemption, Reward, Shop
from plugin.outbox import EffectKind
from plugin.program.calendar import add_months
from plugin.shopify import admin_api
from plugin.shopify.store_credit import check_answer
from plugin.shops.settings import program_settings

log = logging.getLogger(__name__)

CREDIT = EffectKind.STORE_CREDIT_REWARD.value
CLAW_BACK = EffectKind.STORE_CREDIT_CLAW_BACK.value
CONFIG_KEY = "store_credit_configuration"
REFRESH_AFTER = timedelta(hours=1)


def enabled_as_known(shop: Shop) -> bool:
    """Shopify's last answer for this shop (False until one came): no network."""
    return bool(((shop.settings or {}).get(CONFIG_KEY) or {}).get("enabled"))


def ask_shopify(shop: Shop, client: Any | None = None) -> bool:
    """Ask Shopify whether the store has store credit on, and keep the answer. Does not commit."""
    if client is None:
        client = admin_api.admin_client(shop)
    enabled = shopify_says_enabled(client)
    shop.settings = {
        **(shop.settings or {}),
        CONFIG_KEY: {"enabled": enabled, "checked_at": clock.now().isoformat()},
    }
    return enabled


def shopify_says_enabled(client: Any) -> bool:
    """The trade-in payout's rule (``plugin.shopify.store_credit``): store credit on, and new
    customer accounts, where shoppers can see and spend it."""

    return bool(check_answer(client.execute("StoreCreditAvailability", {})).spendable)


def _stale(shop: Shop) -> bool:
    checked = ((shop.settings or {}).get(CONFIG_KEY) or {}).get("checked_at")
    if not checked:
        return True
    try:
        return clock.now() - datetime.fromisoformat(checked) >= REFRESH_AFTER
    except ValueError:
        return True


def expires_at(shop: Shop) -> datetime | None:
    """The end of the store's day N months from today, when the store sets N (None: never)."""
    months = program_settings(shop).store_credit_expiry_months
    if not months:
        return None
    tz = clock.zone(shop.timezone, shop.region)
    last_day = add_months(clock.today(tz), months)
    return datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=tz).astimezone(
        clock.now().tzinfo
    )


def credit_payload(redemption: Redemption) -> dict[str, Any]:
    return {
        "redemption_id": redemption.id,
        "idempotency_key": f"redemption:{redemption.id}:store-credit",
        "amount": str(redemption.amount),
        "currency": redemption.currency,
        "customer_id": redemption.customer_id,
        "expires_at": redemption.expires_at.isoformat() if redemption.expires_at else None,
    }


def claw_back_payload(redemption: Redemption) -> dict[str, Any]:
    return {
        "redemption_id": redemption.id,
        "idempotency_key": f"redemption:{redemption.id}:store-credit-claw-back",
        "customer_id": redemption.customer_id,
        "currency": redemption.currency,
    }


def refresh_configurations() -> int:
    """Ask each installed shop with a store-credit reward again, at most once an hour."""

    asked = 0
    shops = (
        db.session.execute(
            select(Shop)
            .where(Shop.uninstalled_at.is_(None))
            .where(
                select(Reward.id)
                .where(Reward.shop_id == Shop.id, Reward.kind == "store_credit")
                .exists()
            )
        )
        .scalars()
        .all()
    )
    for shop in shops:
        if not _stale(shop):
            continue
        try:
            with unit_of_work():
                ask_shopify(shop)
            asked += 1
        except Exception:
            log.warning("storeCreditConfiguration not read for %s", shop.domain, exc_info=True)
    return asked
