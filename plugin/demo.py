"""The demo: four regional shops, a catalogue, members of all three cohorts, orders and devices.

Everything goes through the same services the webhooks use, with payloads in Shopify's shapes,
so the demo shows the app as a store would run it. Dates are relative to today, so the demo
keeps showing every policy case (a device in its extended warranty, one old enough for a 40 %
recovery value, one too new for a trade-in).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from plugin.extensions import db
from plugin.models import Campaign, CtrlFProgram, Shop
from plugin.models.types import utcnow
from plugin.program.calendar import add_months
from plugin.services import customers, orders
from plugin.services.catalog import upsert_product
from plugin.services.importer import import_row
from plugin.services.shops import add_shop

SHOPS = [
    # domain, region, public host, name
    ("tesmart-us.myshopify.com", "us", "tesmart.com", "TESmart"),
    ("tesmart-eu.myshopify.com", "eu", "tesmart.de", "TESmart Europe"),
    ("tesmart-jp.myshopify.com", "jp", "tesmart.jp", "TESmart Japan"),
    ("tesmart-kr.myshopify.com", "kr", "tesmart.co.kr", "TESmart Korea"),
]
PRICES = {"USD": ("189.99", "349.99", "599.00", "12.99"), "EUR": ("179.90", "329.90", "569.00", "11.90"),
          "JPY": ("28800", "52800", "89800", "1980"), "KRW": ("259000", "479000", "799000", "17000")}
COUNTRY = {"us": "US", "eu": "DE", "jp": "JP", "kr": "KR"}
PRODUCTS = [
    ("TESmart 4-Port HDMI KVM Switch 4K60", "KVM Switch"),
    ("TESmart HDMI KVM Extender 100 m", "KVM Extender"),
    ("TESmart 8x8 HDMI Matrix", "Matrix"),
    ("TESmart HDMI Cable 2 m", "Cable"),
]


def _iso(day: date) -> str:
    return datetime.combine(day, time(10), tzinfo=UTC).isoformat()


def _customer(customer_id: int, email: str, first: str, last: str, created: date, **extra: Any) -> dict[str, Any]:
    return {
        "id": customer_id, "email": email, "first_name": first, "last_name": last,
        "created_at": _iso(created), "updated_at": _iso(created), "verified_email": False,
        "email_marketing_consent": {"state": "not_subscribed", "consent_updated_at": None},
        **extra,
    }


def _order(order_id: int, customer: dict[str, Any], currency: str, country: str, day: date, lines: list[tuple[int, str, str, int]]) -> dict[str, Any]:
    line_items = [
        {"id": order_id * 10 + index, "product_id": product_id, "title": title, "price": price, "quantity": quantity,
         "discount_allocations": [], "total_discount": "0"}
        for index, (product_id, title, price, quantity) in enumerate(lines)
    ]
    subtotal = sum((Decimal(p) * q for _, _, p, q in lines), Decimal(0))
    return {
        "id": order_id, "name": f"#{order_id}", "email": customer["email"], "currency": currency,
        "created_at": _iso(day), "processed_at": _iso(day), "updated_at": _iso(day), "cancelled_at": None,
        "subtotal_price": str(subtotal), "current_subtotal_price": str(subtotal), "total_price": str(subtotal),
        "test": False, "customer": customer, "line_items": line_items, "refunds": [], "discount_codes": [],
        "shipping_address": {"address1": "1 Demo Street", "zip": "10001", "country_code": country},
        "fulfillments": [{"created_at": _iso(day + timedelta(days=1)), "shipment_status": "delivered", "updated_at": _iso(day + timedelta(days=4))}],
    }


def load_demo(force: bool = False, today: date | None = None) -> dict[str, Any]:
    if not force and db.session.execute(select(func.count()).select_from(Shop)).scalar_one():
        return {"loaded": False, "reason": "the database already has shops"}
    today = today or utcnow().date()
    summary: dict[str, Any] = {"loaded": True, "shops": []}
    for shop_index, (domain, region, host, name) in enumerate(SHOPS):
        shop = add_shop(domain, region, name=name, storefront_host=host)
        shop.settings = {**(shop.settings or {}), "award_test_orders": True}
        db.session.flush()
        summary["shops"].append(_load_shop(shop, shop_index, today))
        db.session.commit()
    return summary


def _load_shop(shop: Shop, shop_index: int, today: date) -> dict[str, Any]:
    currency, country = shop.currency, COUNTRY[shop.region]
    base = 1000 * (shop_index + 1)
    product_ids = []
    for offset, (title, product_type) in enumerate(PRODUCTS):
        product_id = 700000 + base + offset
        upsert_product(shop, {"id": product_id, "title": title, "product_type": product_type, "tags": "", "updated_at": _iso(today)})
        product_ids.append(product_id)
    prices = PRICES[currency]

    # Legacy (imported from the old program) and 2025-04 (imported) members, with opening balances.
    import_row({"email": f"ada.{shop.region}@demo.tesmart.example", "registered_at": "2024-06-01", "shop": shop.domain, "points": "1200"})
    import_row({"email": f"ben.{shop.region}@demo.tesmart.example", "registered_at": "2025-06-10", "shop": shop.domain, "points": "600"})
    people = [
        _customer(base + 1, f"ada.{shop.region}@demo.tesmart.example", "Ada", "Lovelace", date(2024, 6, 1)),
        _customer(base + 2, f"ben.{shop.region}@demo.tesmart.example", "Ben", "Okafor", date(2025, 6, 10)),
        _customer(base + 3, f"chloe.{shop.region}@demo.tesmart.example", "Chloe", "Kim", date(2025, 12, 1)),
        _customer(base + 4, f"dan.{shop.region}@demo.tesmart.example", "Dan", "Weber", add_months(today, -1)),
    ]
    for person in people:
        customers.apply_customer(shop, person, created=True)
    # Chloe proves her email on 2025-12-01: a 2025-11 member. Dan stays pending.
    customers.apply_customer(shop, {**people[2], "verified_email": True, "updated_at": _iso(date(2025, 12, 1))}, created=False)
    customers.apply_marketing_consent(shop, {"customer_id": base + 3, "email_address": people[2]["email"],
                                             "email_marketing_consent": {"state": "subscribed", "consent_updated_at": _iso(date(2025, 12, 2))}})
    switch, extender, matrix, cable = zip(product_ids, (p[0] for p in PRODUCTS), prices, strict=True)
    plan = [
        (people[0], date(2024, 7, 15), [(switch[0], switch[1], switch[2], 1), (cable[0], cable[1], cable[2], 2)]),
        (people[1], date(2025, 7, 1), [(switch[0], switch[1], switch[2], 1)]),
        (people[2], date(2025, 12, 15), [(matrix[0], matrix[1], matrix[2], 1), (extender[0], extender[1], extender[2], 1)]),
        (people[2], add_months(today, -2), [(switch[0], switch[1], switch[2], 1)]),
        (people[3], add_months(today, -1), [(switch[0], switch[1], switch[2], 1)]),
    ]
    for number, (person, day, lines) in enumerate(plan):
        payload = _order(900000 + base + number, person, currency, country, day, lines)
        orders.apply_paid(shop, payload)
        orders.apply_fulfilled(shop, payload)
    start = datetime.combine(today, time(0), tzinfo=UTC)
    db.session.add(Campaign(shop_id=shop.id, kind="points_multiplier", title="Member Week: 2X points",
                            starts_at=start - timedelta(days=2), ends_at=start + timedelta(days=5), multiplier=Decimal(2)))
    db.session.add(CtrlFProgram(shop_id=shop.id, title="CTRL F: test the new 8-port KVM", product_title="TESmart 8-Port KVM Switch",
                                seats=5, applications_close_on=today + timedelta(days=30), feedback_due_on=today + timedelta(days=75)))
    return {"shop": shop.domain, "customers": [p["id"] for p in people], "products": product_ids}
