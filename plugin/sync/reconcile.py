"""Reconciliation: heal lost webhooks by reading what changed through the Admin API.

Orders and customers updated since the shop's cursor are read into the same typed snapshots a
webhook gives (``OrderSnapshot``, ``CustomerSnapshot``) and applied by the same use cases, so a lost
delivery is healed and a duplicate is harmless (everything downstream is idempotent per cause).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from plugin import clock
from plugin.database.transaction import unit_of_work
from plugin.extensions import db
from plugin.members import customers
from plugin.members.compliance import is_redacted
from plugin.models import OrderRefund, Shop
from plugin.points import orders
from plugin.shopify.admin_api import admin_client, product_fetcher
from plugin.shopify.client import AdminThrottled
from plugin.shopify.payloads import CustomerSnapshot, OrderSnapshot, timestamp
from plugin.shops.registry import find_shop, installed_shops

log = logging.getLogger(__name__)

OVERLAP = timedelta(minutes=5)  # Shopify's updated_at index is eventually consistent
EVERY = timedelta(minutes=15)
# Pages per stream in one run: a run pages until its stream is done, up to this bound; a stream that
# stops here resumes in the next run from the page cursor it stopped at (the same query).
MAX_PAGES = 200
PENDING_REVISITS = 20  # orders with pending refunds read again per run
STREAMS = ("customers", "orders")


PAID_STATES = {"paid", "partially_refunded", "refunded"}


def apply_order(shop: Shop, snapshot: OrderSnapshot) -> None:
    # A redacted customer's personal data is not read back in (the tombstone).
    if snapshot.customer is not None and is_redacted(shop, snapshot.customer.id):
        snapshot = snapshot.without_personal_data()
    if snapshot.financial_status in PAID_STATES:
        orders.apply_paid(shop, snapshot, fetch_product=product_fetcher(shop))
    if snapshot.cancelled_at:
        orders.apply_cancelled(shop, snapshot)
    if snapshot.fulfillments:
        orders.apply_fulfilled(shop, snapshot)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _cursor(shop: Shop, stream: str, start: datetime) -> dict[str, Any]:
    """The stream's cursor: ``since`` (the window's start) and ``after`` (the page reached)."""
    known = (shop.reconcile_cursors or {}).get(stream)
    if isinstance(known, dict) and timestamp(known.get("since")) is not None:
        return dict(known)
    return {"since": _iso(shop.last_reconciled_at or shop.installed_at or start), "after": None}


def _save_cursor(shop: Shop, stream: str, cursor: dict[str, Any]) -> None:
    shop.reconcile_cursors = {
        **(shop.reconcile_cursors or {}),
        stream: cursor,
    }  # a new dict: JSON change


def _order_snapshot(client: Any, node: dict[str, Any]) -> OrderSnapshot:
    if ((node.get("lineItems") or {}).get("pageInfo") or {}).get("hasNextPage"):
        fuller = client.execute("OrderGet", {"id": node["id"]}).get("order")
        node = fuller or node
    return OrderSnapshot.from_graphql(node)


def _apply_customer_node(shop: Shop, client: Any, node: dict[str, Any]) -> None:
    snapshot = CustomerSnapshot.from_graphql(node)
    # A redacted customer's personal data is not read back in (the tombstone).
    if not is_redacted(shop, snapshot.id):
        _apply_customer(shop, snapshot)


def _apply_order_node(shop: Shop, client: Any, node: dict[str, Any]) -> None:
    apply_order(shop, _order_snapshot(client, node))


def _read_stream(
    shop: Shop, client: Any, stream: str, start: datetime, counts: dict[str, int]
) -> bool:
    """Apply one stream's changes page by page, each page committed with its cursor; True when
    the stream is done (the next window starts where this run started)."""
    operation, apply = {
        "customers": ("CustomersUpdatedSince", _apply_customer_node),
        "orders": ("OrdersUpdatedSince", _apply_order_node),
    }[stream]
    cursor = _cursor(shop, stream, start)
    since = timestamp(cursor["since"]) or start
    # The query is the same on every page of a window, so a saved page cursor stays valid.
    query = f"updated_at:>'{_iso(since - OVERLAP)}'"
    read = int(cursor.get("read") or 0) if cursor.get("after") else 0  # records read in this window
    # When this window's first page was read: the admin's rate is ``read`` over the time since.
    started = (cursor.get("started") if cursor.get("after") else None) or _iso(clock.now())
    for _page in range(MAX_PAGES):
        try:
            data = client.execute(operation, {"query": query, "after": cursor.get("after")})
        except AdminThrottled:
            # The shop's bucket is spent (other work shares it): stop here, the saved page
            # cursor resumes in the next run.
            log.info("reconciliation of %s: %s throttled, resuming next run", shop.domain, stream)
            return False
        connection = data.get(stream) or {}
        with unit_of_work():  # a page's changes and the cursor past it
            for node in connection.get("nodes") or []:
                apply(shop, client, node)
                counts[stream] += 1
                read += 1
            page = connection.get("pageInfo") or {}
            if not page.get("hasNextPage"):
                _save_cursor(
                    shop,
                    stream,
                    {
                        "since": cursor.get("window") or _iso(start),
                        "after": None,
                        "read": read,
                        "started": started,
                        "at": _iso(clock.now()),
                    },
                )
                return True
            cursor = {
                **cursor,
                "after": page.get("endCursor"),
                "window": cursor.get("window") or _iso(start),
                "read": read,
                "started": started,
                "at": _iso(clock.now()),
            }
            _save_cursor(shop, stream, cursor)
    return False


def _revisit_pending_refunds(shop: Shop, client: Any, counts: dict[str, int]) -> None:
    """Orders whose refunds were still pending: read again, so what settled counts now."""
    order_ids = (
        db.session.execute(
            select(OrderRefund.order_id)
            .where(OrderRefund.shop_id == shop.id, OrderRefund.pending.is_(True))
            .group_by(OrderRefund.order_id)
            .order_by(func.min(OrderRefund.id))
            .limit(PENDING_REVISITS)
        )
        .scalars()
        .all()
    )
    for order_id in order_ids:
        node = client.execute("OrderGet", {"id": f"gid://shopify/Order/{order_id}"}).get("order")
        with unit_of_work():
            if node:
                apply_order(shop, OrderSnapshot.from_graphql(node))
                counts["orders"] += 1


def progress(shop: Shop) -> list[dict[str, Any]]:
    """Each stream's progress for the admin: records read in the current (or last) window, whether
    the window is still being paged (a large catch-up spans runs), when its last page was saved,
    and the rate, records a minute from the window's first page to its last saved one (None until
    a window has taken a measurable time, or for a cursor saved before the rate was kept)."""
    shown = []
    for stream in STREAMS:
        cursor = (shop.reconcile_cursors or {}).get(stream)
        if not cursor:
            continue
        read = int(cursor.get("read") or 0)
        at, started = timestamp(cursor.get("at")), timestamp(cursor.get("started"))
        seconds = (at - started).total_seconds() if at and started else 0.0
        shown.append(
            {
                "stream": stream,
                "read": read,
                "running": bool(cursor.get("after")),
                "at": at,
                "per_minute": round(read * 60 / seconds) if seconds >= 1 else None,
            }
        )
    return shown


def reconcile_shop(shop: Shop, now: datetime | None = None) -> dict[str, int]:
    """Apply every customer and order changed since each stream's own cursor.

    Customers and orders keep separate cursors: one stream stopping at its page bound never moves
    the other's, and neither jumps past records it has not read. A stream stopped at the bound
    resumes at its saved page in the next run; a finished one starts its next window at this
    run's start (less the overlap).
    """
    start = now or clock.now()
    client = admin_client(shop)
    counts = {"orders": 0, "customers": 0}
    complete = all([_read_stream(shop, client, stream, start, counts) for stream in STREAMS])
    _revisit_pending_refunds(shop, client, counts)
    if complete:
        shop.last_reconciled_at = start
    db.session.commit()
    return counts


def _apply_customer(shop: Shop, snapshot: CustomerSnapshot) -> None:
    created = snapshot.created_at
    # Sign-up points only for accounts created since the app was installed.
    is_new = bool(created and shop.installed_at and created >= shop.installed_at)
    customers.apply_customer(shop, snapshot, created=is_new)


def reconcile_all(domain: str | None = None) -> dict[str, Any]:

    shops = [find_shop(domain)] if domain else installed_shops()
    results: dict[str, Any] = {}
    for shop in shops:
        if shop is None:
            continue
        try:
            results[shop.domain] = reconcile_shop(shop)
        except Exception as exc:  # one shop's trouble must not stop the others
            db.session.rollback()
            log.exception("reconciliation of %s failed", shop.domain)
            results[shop.domain] = {"error": str(exc)}
    return results


def reconcile_due() -> int:
    cutoff = clock.now() - EVERY
    due = (
        db.session.execute(
            select(Shop.domain).where(
                Shop.uninstalled_at.is_(None),
                (Shop.last_reconciled_at.is_(None)) | (Shop.last_reconciled_at < cutoff),
            )
        )
        .scalars()
        .all()
    )
    for domain in due:
        reconcile_all(domain)
    return len(due)
