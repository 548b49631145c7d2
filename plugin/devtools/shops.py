"""The shops and customers the dev storefront can switch between (dev mode only).

The models are imported lazily and every failure degrades to an empty list, so the page still
renders (with a hint) on a fresh database or before the models exist.
"""

from __future__ import annotations

import logging
from typing import Any, TypedDict

from sqlalchemy import select

log = logging.getLogger(__name__)


class DevShop(TypedDict):
    domain: str
    name: str
    region: str
    currency: str
    locale: str


class DevCustomer(TypedDict):
    customer_id: str
    label: str


def list_dev_shops() -> list[DevShop]:
    """Every shop, in id order, as plain dicts."""
    try:
        # local: dev-mode tooling, loaded when the dev page asks
        from plugin.extensions import db
        from plugin.models.shop import Shop

        rows: list[Any] = list(db.session.execute(select(Shop).order_by(Shop.id)).scalars())
    except Exception as exc:  # dev tooling: a missing table is not an error
        log.warning("dev storefront: no shops (%s)", exc)
        return []
    return [
        DevShop(
            domain=row.domain,
            name=getattr(row, "name", "") or row.domain,
            region=row.region,
            currency=row.currency,
            locale=row.locale,
        )
        for row in rows
    ]


def list_dev_customers(shop_domain: str, limit: int = 50) -> list[DevCustomer]:
    """A few known customers of one shop, for the customer switcher's suggestions."""
    try:
        # local: dev-mode tooling, loaded when the dev page asks
        from plugin.extensions import db
        from plugin.models.member import ShopCustomer
        from plugin.models.shop import Shop

        rows: list[Any] = list(
            db.session.execute(
                select(ShopCustomer)
                .join(Shop, Shop.id == ShopCustomer.shop_id)
                .where(Shop.domain == shop_domain)
                .order_by(ShopCustomer.id)
                .limit(limit)
            ).scalars()
        )
    except Exception as exc:  # suggestions are optional
        log.warning("dev storefront: no customer suggestions (%s)", exc)
        return []
    customers: list[DevCustomer] = []
    for row in rows:
        name = " ".join(p for p in (row.first_name, row.last_name) if p)
        label = " · ".join(p for p in (name, row.email) if p) or row.customer_id
        customers.append(DevCustomer(customer_id=str(row.customer_id), label=label))
    return customers
