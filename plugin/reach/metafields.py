"""The app's customer metafields (``$app`` namespace, declared in shopify.app.toml), written with
``metafieldsSet`` through the outbox (effect ``customer.metafields``).

Coalesced per member: a change only marks the member's metafields due, under the key of the
current minute (``customer_metafields:<member>:<minute>``), to be written at the start of the
next minute with the values of that moment. However many changes a minute brings, the customer
gets one write, and two writes are at least a minute apart. Each write is one ``metafieldsSet``
(7 metafields per customer, at most 25 per call) that takes its cost from the shop's shared
throttle estimate like every other Admin API call, so it never spends more than the bucket holds.
The writes a job holds for one shop go in one request, a ``metafieldsSet`` per member under its
alias (plugin/effects/metafields.py ``write_many``), their values read in three statements.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from plugin import outbox
from plugin.accounts import cohort_of, id_status
from plugin.clock import now
from plugin.database.sets import one_of
from plugin.extensions import db
from plugin.models import Member, Shop, ShopCustomer, Wallet
from plugin.points.expiry import upcoming_of_wallet
from plugin.shops.settings import ProgramSettings, program_settings

EFFECT = outbox.EffectKind.CUSTOMER_METAFIELDS.value
NAMESPACE = "$app"
WINDOW = timedelta(minutes=1)
MAX_PER_CALL = 25

# key -> metafield type, as declared in shopify.app.toml ([customer.metafields.app.<key>]).
DEFINITIONS: dict[str, str] = {
    "tesmart_id_status": "single_line_text_field",
    "cohort": "single_line_text_field",
    "member_since": "date",
    "points_balance": "number_integer",
    "points_expiring": "number_integer",
    "points_expiring_on": "date",
    "referral_link": "url",
}


def touch(shop: Shop, member_id: int | None, at: datetime | None = None) -> int | None:
    """The member's metafields changed: write them at the start of the next minute (once)."""
    if member_id is None:
        return None
    item = touch_item(shop.id, member_id, at)
    return outbox.add(
        shop.id, EFFECT, item.idempotency_key, item.payload, not_before=item.not_before
    )


def touch_item(shop_id: int, member_id: int, at: datetime | None = None) -> outbox.NewItem:
    """The outbox item ``touch`` writes (for ``outbox.add_many``)."""
    moment = at or now()
    minute = int(moment.timestamp()) // 60
    due = datetime.fromtimestamp((minute + 1) * 60, tz=moment.tzinfo)
    key = f"customer_metafields:{member_id}:{minute}"
    return outbox.NewItem(shop_id, EFFECT, key, {"member_id": member_id}, not_before=due)


def values_of(
    shop: Shop, member: Member, wallet: Wallet | None, settings: ProgramSettings
) -> dict[str, str]:
    """The metafields' values now (Shopify's value strings; an empty value is left out), from the
    member's wallet (None: it has none) and the shop's settings."""
    cohort = cohort_of(member, settings.cutoffs)
    expiring = upcoming_of_wallet(shop, wallet, settings=settings)
    host = shop.storefront_host or shop.domain
    out = {
        "tesmart_id_status": id_status(member),
        "cohort": cohort.value if cohort is not None else "",
        "member_since": member.registered_at.date().isoformat()
        if member.is_active and member.registered_at
        else "",
        "points_balance": str(int(wallet.balance) if wallet is not None else 0),
        "points_expiring": str(expiring[0]) if expiring else "0",
        "points_expiring_on": expiring[1].isoformat() if expiring else "",
        "referral_link": f"https://{host}/apps/tesmart/r/{member.referral_code}"
        if member.is_active and member.referral_code
        else "",
    }
    return {key: value for key, value in out.items() if value != ""}


def metafields_inputs(shop: Shop, member_ids: Sequence[object]) -> dict[int, list[dict[str, Any]]]:
    """The ``metafieldsSet`` inputs of members of the shop, every customer account of each, in
    three statements (members, their customers, their wallets) and each one's expiry; a member
    gone or redacted is left out."""
    wanted = sorted({member_id for member_id in member_ids if isinstance(member_id, int)})
    if not wanted:
        return {}
    members = db.session.execute(
        select(Member).where(one_of(Member.id, wanted), Member.redacted_at.is_(None))
    ).scalars()
    found = {member.id: member for member in members}
    if not found:
        return {}
    customers: dict[int, list[str]] = {member_id: [] for member_id in found}
    for member_id, customer_id in db.session.execute(
        select(ShopCustomer.member_id, ShopCustomer.customer_id)
        .where(ShopCustomer.shop_id == shop.id, one_of(ShopCustomer.member_id, found))
        .order_by(ShopCustomer.id)
    ):
        customers[member_id].append(customer_id)
    wallets = {
        wallet.member_id: wallet
        for wallet in db.session.execute(
            select(Wallet).where(Wallet.shop_id == shop.id, one_of(Wallet.member_id, found))
        ).scalars()
    }
    settings = program_settings(shop)
    return {
        member_id: _inputs(
            customers[member_id],
            values_of(shop, member, wallets.get(member_id), settings),
        )
        for member_id, member in found.items()
    }


def _inputs(customers: Sequence[str], current: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "ownerId": f"gid://shopify/Customer/{customer_id}",
            "namespace": NAMESPACE,
            "key": key,
            "type": DEFINITIONS[key],
            "value": value,
        }
        for customer_id in customers
        for key, value in current.items()
    ]
