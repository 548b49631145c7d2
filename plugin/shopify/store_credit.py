"""Whether store credit is a payout shoppers can use, asked of Shopify before it is offered.

A trade-in paid as store credit the shopper cannot spend is no payment: Shopify lets a merchant turn
store credit off (``storeCreditConfiguration.storeCreditEnabled``), and shops on classic (legacy)
customer accounts cannot show or spend it at all. There the app says so and offers the other payout
forms (a partial refund of a recent order, a code for a new order). When Shopify cannot be asked,
store credit stays on offer: the outbox then retries the credit itself.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from plugin.models import Shop
from plugin.shopify import admin_api
from plugin.shopify.client import AdminApiError

log = logging.getLogger(__name__)

REASONS = {
    "disabled": "Store credit is turned off in this store's Shopify settings, so shoppers cannot "
    "spend it.",
    "classic_accounts": (
        "This store uses classic customer accounts, where shoppers cannot see or spend store "
        "credit."
    ),
}
OTHER_FORMS = "Pay as a partial refund of a recent order or as a code for a new order instead."


@dataclass(frozen=True)
class StoreCreditCheck:
    spendable: bool | None  # None: Shopify could not be asked
    reason: str | None = None  # a key of REASONS when not spendable

    @property
    def message(self) -> str | None:
        return f"{REASONS[self.reason]} {OTHER_FORMS}" if self.reason in REASONS else None


def store_credit_check(shop: Shop) -> StoreCreditCheck:
    try:
        data = admin_api.admin_client(shop).execute("StoreCreditAvailability", {})
    except AdminApiError as exc:
        log.warning("store credit configuration of %s unknown: %s", shop.domain, exc)
        return StoreCreditCheck(None)
    return check_answer(data)


def check_answer(data: dict[str, Any]) -> StoreCreditCheck:
    """Shopify's StoreCreditAvailability answer read as a check (also for store-credit rewards)."""
    enabled = (data.get("storeCreditConfiguration") or {}).get("storeCreditEnabled")
    accounts = ((data.get("shop") or {}).get("customerAccountsV2") or {}).get(
        "customerAccountsVersion"
    )
    if enabled is not True:
        return StoreCreditCheck(False, "disabled")
    if accounts == "CLASSIC":
        return StoreCreditCheck(False, "classic_accounts")
    return StoreCreditCheck(True)
