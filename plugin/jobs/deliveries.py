"""The delivery date of an order a return is checked against, read from the Admin API when its
webhook has not told it yet (``plugin.benefits.returns`` asks through its hook)."""

from __future__ import annotations

import threading
import time

from plugin.database.transaction import unit_of_work
from plugin.extensions import db
from plugin.jobs.queue import job_queue
from plugin.models import Shop
from plugin.points import orders
from plugin.shopify import admin_api
from plugin.shopify.payloads import OrderSnapshot

LOOKUP_EVERY_SECONDS = 3600  # one Admin API read per order and hour, per process, is plenty
_recent_lookups: dict[tuple[int, str], float] = {}
_lookups_lock = threading.Lock()


def request_delivery_lookup(shop_id: int, order_id: str) -> bool:
    """Enqueue ``lookup_delivery`` unless this process asked for the order within the hour."""
    now = time.monotonic()
    with _lookups_lock:
        last = _recent_lookups.get((shop_id, order_id))
        if last is not None and now - last < LOOKUP_EVERY_SECONDS:
            return False
        _recent_lookups[(shop_id, order_id)] = now
    return job_queue().enqueue(
        lookup_delivery, shop_id, order_id, queue="default", job_id=f"delivery-{shop_id}-{order_id}"
    )


def lookup_delivery(shop_id: int, order_id: str) -> str:
    """Job: read the order's fulfilments (``OrderGet``) and apply them like orders/fulfilled."""
    shop = db.session.get(Shop, shop_id)
    if shop is None or not shop.installed:
        db.session.rollback()
        return "skipped"
    node = (
        admin_api.admin_client(shop)
        .execute("OrderGet", {"id": f"gid://shopify/Order/{order_id}"})
        .get("order")
    )
    if not node:
        db.session.rollback()
        return "missing"
    snapshot = OrderSnapshot.from_graphql(node)
    if not snapshot.fulfillments:
        db.session.rollback()
        return "unfulfilled"
    with unit_of_work():
        orders.apply_fulfilled(shop, snapshot)
    return "updated"
