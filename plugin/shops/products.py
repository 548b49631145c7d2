"""The local product catalogue: program categories per product, kept from products webhooks."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select

from plugin.database import batch
from plugin.database.idempotent import insert_once
from plugin.extensions import db
from plugin.models import Product, Shop
from plugin.program.categories import category_for, parse_tags
from plugin.shopify.payloads import required_id, timestamp
from plugin.shops.settings import program_settings

log = logging.getLogger(__name__)


def upsert_product(shop: Shop, payload: dict[str, Any]) -> Product:
    """Apply a product payload unless an equal or newer one was applied (arrival order is not
    Shopify's order)."""
    product_id = required_id(payload)
    updated_at = timestamp(payload.get("updated_at"))
    insert_once(Product, {"shop_id": shop.id, "product_id": product_id}, ["shop_id", "product_id"])
    product = db.session.execute(
        select(Product)
        .where(Product.shop_id == shop.id, Product.product_id == product_id)
        .with_for_update()
    ).scalar_one()
    batch.remember("products", (shop.id, product_id), product)
    if updated_at and product.shopify_updated_at and updated_at < product.shopify_updated_at:
        return product
    product.title = str(payload.get("title") or "")[:512]
    product.product_type = str(payload.get("product_type") or "")[:255]
    product.tags = ", ".join(parse_tags(payload.get("tags")))
    product.category = category_for(
        product.product_type, product.tags, program_settings(shop).category_mapping
    )
    product.shopify_updated_at = updated_at or product.shopify_updated_at
    return product


def find_product(shop: Shop, product_id: str) -> Product | None:
    answers = batch.known("products")  # a drained batch read its lines' products at once
    if answers is not None and (shop.id, product_id) in answers:
        known: Product | None = answers[(shop.id, product_id)]  # the batch holds rows or None
        return known
    return db.session.execute(
        select(Product).where(Product.shop_id == shop.id, Product.product_id == product_id)
    ).scalar_one_or_none()


def recategorize(shop: Shop) -> int:
    """After the merchant changes the mapping: new categories for products (not for devices
    already registered: changes take effect for new events only)."""
    mapping = program_settings(shop).category_mapping
    changed = 0
    for product in db.session.execute(select(Product).where(Product.shop_id == shop.id)).scalars():
        category = category_for(product.product_type, product.tags, mapping)
        if category != product.category:
            product.category = category
            changed += 1
    return changed


def product_for_line(shop: Shop, product_id: str, fetch: Any | None = None) -> Product | None:
    """The product of an order line, fetched from the Admin API when the catalogue lacks it."""
    product = find_product(shop, product_id)
    if product is not None or fetch is None:
        return product
    node = fetch(product_id)
    if node is None:
        return None
    return upsert_product(shop, node)


def fetched_at(node: dict[str, Any]) -> datetime | None:
    return timestamp(node.get("updated_at"))
