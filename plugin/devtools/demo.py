"""The demo: four regional shops, a catalogue, members of all three cohorts, orders and devices.

Everything goes through the same services the webhooks use, with payloads in Shopify's shapes,
so the demo shows the app as a store would run it. Dates are relative to today, so the demo
keeps showing every policy case (a device in its extended warranty, one old enough for a 40 %
recovery value, one too new for a trade-in).

Every widget of the local storefront shows something real in each shop: Ada (the first customer
of each shop) has an issued reward code, a friend who ordered with her link (rewarded, with the
referrer's code) and one who only visited, a device in its extended warranty and one eligible for
a trade-in quote; every shop has a points campaign and an open CTRL F program.

Reward codes are made by the Admin API, which in dev mode is the in-process fake: its memory is
empty in every new process, so :func:`mirror_to_fake` copies the shops, customers, products and
orders of the database into it (``load_demo`` does so before it redeems, and
``plugin.shopify.admin_api.fake_admin`` when a dev server creates its fake).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from flask import Flask, current_app
from sqlalchemy import func, select

from plugin import clock
from plugin.accounts import activate, get_or_create_member
from plugin.extensions import db
from plugin.members import customers
from plugin.members.importer import import_row
from plugin.models import (
    Campaign,
    CtrlFProgram,
    Device,
    Member,
    Order,
    Product,
    Redemption,
    Reward,
    Shop,
    ShopCustomer,
)
from plugin.points import orders
from plugin.program.calendar import add_months
from plugin.shopify.payloads import ConsentSnapshot, CustomerSnapshot, OrderSnapshot
from plugin.shops.products import upsert_product
from plugin.shops.registry import add_shop

SHOPS = [
    # domain, region, public host, name
    ("tesmart-us.myshopify.com", "us", "tesmart.com", "TESmart"),
    ("tesmart-eu.myshopify.com", "eu", "tesmart.de", "TESmart Europe"),
    ("tesmart-jp.myshopify.com", "jp", "tesmart.jp", "TESmart Japan"),
    ("tesmart-kr.myshopify.com", "kr", "tesmart.co.kr", "TESmart Korea"),
]
PRICES = {
    "USD": ("189.99", "349.99", "599.00", "12.99"),
    "EUR": ("179.90", "329.90", "569.00", "11.90"),
    "JPY": ("28800", "52800", "89800", "1980"),
    "KRW": ("259000", "479000", "799000", "17000"),
}
COUNTRY = {"us": "US", "eu": "DE", "jp": "JP", "kr": "KR"}
# The demo campaign and CTRL F program, in each store's language (merchants write their own).
TITLES = {
    "us": ("Member Week: 2X points", "CTRL F: test the new 8-port KVM"),
    "eu": ("Mitgliederwoche: doppelte Punkte", "CTRL F: Testen Sie den neuen 8-Port-KVM-Switch"),
    "jp": ("メンバーウィーク：ポイント2倍", "CTRL F：新しい8ポートKVMスイッチのモニター募集"),
    "kr": ("멤버 위크: 포인트 2배", "CTRL F: 새 8포트 KVM 스위치 체험단"),
}
PRODUCTS = [
    ("TESmart 4-Port HDMI KVM Switch 4K60", "KVM Switch"),
    ("TESmart HDMI KVM Extender 100 m", "KVM Extender"),
    ("TESmart 8x8 HDMI Matrix", "Matrix"),
    ("TESmart HDMI Cable 2 m", "Cable"),
]


def _iso(day: date | datetime) -> str:
    if isinstance(day, datetime):
        return day.isoformat()
    return datetime.combine(day, time(10), tzinfo=UTC).isoformat()


def _customer(
    customer_id: int, email: str, first: str, last: str, created: date, **extra: Any
) -> dict[str, Any]:
    return {
        "id": customer_id,
        "email": email,
        "first_name": first,
        "last_name": last,
        "created_at": _iso(created),
        "updated_at": _iso(created),
        "verified_email": False,
        "email_marketing_consent": {"state": "not_subscribed", "consent_updated_at": None},
        **extra,
    }


def _order(
    order_id: int,
    customer: dict[str, Any],
    currency: str,
    country: str,
    day: date | datetime,
    lines: list[tuple[int, str, str, int]],
    *,
    address1: str = "1 Demo Street",
    discount_codes: list[str] | None = None,
    delivered: bool = True,
) -> dict[str, Any]:
    line_items = [
        {
            "id": order_id * 10 + index,
            "product_id": product_id,
            "title": title,
            "price": price,
            "quantity": quantity,
            "discount_allocations": [],
            "total_discount": "0",
        }
        for index, (product_id, title, price, quantity) in enumerate(lines)
    ]
    subtotal = sum((Decimal(p) * q for _, _, p, q in lines), Decimal(0))
    return {
        "id": order_id,
        "name": f"#{order_id}",
        "email": customer["email"],
        "currency": currency,
        "created_at": _iso(day),
        "processed_at": _iso(day),
        "updated_at": _iso(day),
        "cancelled_at": None,
        "subtotal_price": str(subtotal),
        "current_subtotal_price": str(subtotal),
        "total_price": str(subtotal),
        "test": False,
        "customer": customer,
        "line_items": line_items,
        "refunds": [],
        "discount_codes": [
            {"code": code, "amount": "0", "type": "fixed_amount"} for code in discount_codes or []
        ],
        "shipping_address": {"address1": address1, "zip": "10001", "country_code": country},
        "fulfillments": [
            {
                "created_at": _iso(day + timedelta(days=1)),
                "shipment_status": "delivered",
                "updated_at": _iso(day + timedelta(days=4)),
            }
        ]
        if delivered
        else [],
    }


def load_demo(force: bool = False, today: date | None = None) -> dict[str, Any]:
    if not force and db.session.execute(select(func.count()).select_from(Shop)).scalar_one():
        return {"loaded": False, "reason": "the database already has shops"}
    today = today or clock.now().date()
    summary: dict[str, Any] = {"loaded": True, "shops": []}
    for shop_index, (domain, region, host, name) in enumerate(SHOPS):
        shop = add_shop(domain, region, name=name, storefront_host=host)
        shop.settings = {**(shop.settings or {}), "award_test_orders": True}
        db.session.flush()
        loaded = _load_shop(shop, shop_index, today)
        db.session.commit()
        _load_benefits(shop, shop_index, today)
        summary["shops"].append(loaded)
    return summary


def _load_shop(shop: Shop, shop_index: int, today: date) -> dict[str, Any]:
    currency, country = shop.currency, COUNTRY[shop.region]
    base = 1000 * (shop_index + 1)
    product_ids = []
    for offset, (title, product_type) in enumerate(PRODUCTS):
        product_id = 700000 + base + offset
        upsert_product(
            shop,
            {
                "id": product_id,
                "title": title,
                "product_type": product_type,
                "tags": "",
                "updated_at": _iso(today),
            },
        )
        product_ids.append(product_id)
    prices = PRICES[currency]

    # Legacy (imported from the old program) and 2025-04 (imported) members, with opening balances.
    import_row(
        {
            "email": f"ada.{shop.region}@demo.tesmart.example",
            "registered_at": "2024-06-01",
            "shop": shop.domain,
            "points": "1200",
        }
    )
    import_row(
        {
            "email": f"ben.{shop.region}@demo.tesmart.example",
            "registered_at": "2025-06-10",
            "shop": shop.domain,
            "points": "600",
        }
    )
    # Gus: an activated 2025-04 member who has no points (yet): the member card's empty wallet.
    import_row(
        {
            "email": f"gus.{shop.region}@demo.tesmart.example",
            "registered_at": "2025-09-01",
            "shop": shop.domain,
            "points": "0",
        }
    )
    people = [
        _customer(
            base + 1, f"ada.{shop.region}@demo.tesmart.example", "Ada", "Lovelace", date(2024, 6, 1)
        ),
        _customer(
            base + 2, f"ben.{shop.region}@demo.tesmart.example", "Ben", "Okafor", date(2025, 6, 10)
        ),
        _customer(
            base + 3, f"chloe.{shop.region}@demo.tesmart.example", "Chloe", "Kim", date(2025, 12, 1)
        ),
        _customer(
            base + 4,
            f"dan.{shop.region}@demo.tesmart.example",
            "Dan",
            "Weber",
            add_months(today, -1),
        ),
        _customer(
            base + 7,
            f"gus.{shop.region}@demo.tesmart.example",
            "Gus",
            "Lindqvist",
            date(2025, 9, 1),
        ),
    ]
    for person in people:
        customers.apply_customer(shop, CustomerSnapshot.from_webhook(person), created=True)
    # Chloe logs in on the storefront on 2025-12-01 (her email proven): a 2025-11 member. Dan stays
    # pending. Shopify's verified_email alone proves nothing (POLICY.md 2).
    customers.apply_customer(
        shop,
        CustomerSnapshot.from_webhook(
            {**people[2], "verified_email": True, "updated_at": _iso(date(2025, 12, 1))}
        ),
        created=False,
    )
    chloe = get_or_create_member(people[2]["email"])
    if chloe is not None:
        activate(
            chloe, datetime.combine(date(2025, 12, 1), time(12), tzinfo=UTC), "storefront_login"
        )
    customers.apply_marketing_consent(
        shop,
        ConsentSnapshot.from_webhook(
            {
                "customer_id": base + 3,
                "email_address": people[2]["email"],
                "email_marketing_consent": {
                    "state": "subscribed",
                    "consent_updated_at": _iso(date(2025, 12, 2)),
                },
            }
        ),
    )
    switch, extender, matrix, cable = zip(
        product_ids, (p[0] for p in PRODUCTS), prices, strict=True
    )
    plan = [
        (
            people[0],
            date(2024, 7, 15),
            [(switch[0], switch[1], switch[2], 1), (cable[0], cable[1], cable[2], 2)],
        ),
        (people[1], date(2025, 7, 1), [(switch[0], switch[1], switch[2], 1)]),
        (
            people[2],
            date(2025, 12, 15),
            [(matrix[0], matrix[1], matrix[2], 1), (extender[0], extender[1], extender[2], 1)],
        ),
        (people[2], add_months(today, -2), [(switch[0], switch[1], switch[2], 1)]),
        (people[3], add_months(today, -1), [(switch[0], switch[1], switch[2], 1)]),
    ]
    for number, (person, day, lines) in enumerate(plan):
        payload = _order(900000 + base + number, person, currency, country, day, lines)
        snapshot = OrderSnapshot.from_webhook(payload)
        orders.apply_paid(shop, snapshot)
        orders.apply_fulfilled(shop, snapshot)
    start = datetime.combine(today, time(0), tzinfo=UTC)
    campaign_title, program_title = TITLES[shop.region]
    # A forced reload over an earlier demo adds no second campaign or program.
    if not _exists(Campaign, shop, Campaign.title == campaign_title):
        db.session.add(
            Campaign(
                shop_id=shop.id,
                kind="points_multiplier",
                title=campaign_title,
                starts_at=start - timedelta(days=2),
                ends_at=start + timedelta(days=5),
                multiplier=Decimal(2),
            )
        )
    if not _exists(CtrlFProgram, shop, CtrlFProgram.title == program_title):
        db.session.add(
            CtrlFProgram(
                shop_id=shop.id,
                title=program_title,
                product_title="TESmart 8-Port KVM Switch",
                seats=5,
                applications_close_on=today + timedelta(days=30),
                feedback_due_on=today + timedelta(days=75),
            )
        )
    return {"shop": shop.domain, "customers": [p["id"] for p in people], "products": product_ids}


def _exists(model: Any, shop: Shop, *where: Any) -> bool:
    stmt = select(model.id).where(model.shop_id == shop.id, *where).limit(1)
    return db.session.execute(stmt).first() is not None


def _member_of(shop: Shop, customer_id: int) -> Member:
    customer = db.session.execute(
        select(ShopCustomer).where(
            ShopCustomer.shop_id == shop.id, ShopCustomer.customer_id == str(customer_id)
        )
    ).scalar_one()
    member = db.session.get(Member, customer.member_id)
    assert member is not None, f"demo customer {customer_id} has no TESmart ID"
    return member


def _load_benefits(shop: Shop, shop_index: int, today: date) -> None:
    """Ada's referrals (one friend rewarded, one visited) and a reward code she redeemed.

    Runs after the shop's commit, through the services the storefront uses; each of them commits
    and issues its codes through the outbox (in dev mode the in-process fake Admin API).
    """
    # local: dev-mode tooling, loaded when the demo runs
    from plugin.rewards import redemptions, referrals

    base = 1000 * (shop_index + 1)
    ada = _member_of(shop, base + 1)
    code = referrals.ensure_referral_code(ada)
    eve = _customer(
        base + 5, f"eve.{shop.region}@demo.tesmart.example", "Eve", "Moreau", add_months(today, -1)
    )
    finn = _customer(
        base + 6,
        f"finn.{shop.region}@demo.tesmart.example",
        "Finn",
        "Berg",
        today - timedelta(days=3),
    )
    for friend in (eve, finn):
        customers.apply_customer(shop, CustomerSnapshot.from_webhook(friend), created=True)
    db.session.commit()
    # The fake must know the customers before it is asked for their codes.
    mirror_to_fake(shop_domain=shop.domain)
    referrals.follow_link(shop, code, str(eve["id"]))
    referrals.follow_link(shop, code, str(finn["id"]))
    # Eve orders with her friend coupon, from her own address: the referral is rewarded.
    coupon = (
        db.session.execute(
            select(Redemption).where(
                Redemption.shop_id == shop.id,
                Redemption.customer_id == str(eve["id"]),
                Redemption.purpose == "referral",
            )
        )
        .scalars()
        .first()
    )
    product = (
        db.session.execute(
            select(Product)
            .where(Product.shop_id == shop.id, Product.category == "accessory")
            .order_by(Product.id)
        )
        .scalars()
        .first()
    )
    if coupon is not None and coupon.code and product is not None:
        price = PRICES[shop.currency][3]
        # Paid within the store's current day (never "two days ago", which is last month on the
        # 1st and 2nd): the widget counts it among this month's rewards on any date.
        zone = clock.shop_zone(shop)
        paid = max(clock.now() - timedelta(minutes=5), clock.start_of_day(clock.today(zone), zone))
        payload = _order(
            900000 + base + 10,
            eve,
            shop.currency,
            COUNTRY[shop.region],
            paid,
            [(int(product.product_id), product.title, price, 1)],
            address1="22 Friend Lane",
            discount_codes=[coupon.code],
            delivered=False,
        )
        order = orders.apply_paid(shop, OrderSnapshot.from_webhook(payload))
        referrals.on_order_paid(shop, order)  # a no-op when the orders service already did it
        db.session.commit()
    # A reward Ada redeemed: her code is waiting in the rewards widget.
    if not _exists(
        Redemption, shop, Redemption.member_id == ada.id, Redemption.purpose == "reward"
    ):
        reward = (
            db.session.execute(
                select(Reward)
                .where(Reward.shop_id == shop.id, Reward.active.is_(True))
                .order_by(Reward.points, Reward.id)
            )
            .scalars()
            .first()
        )
        if reward is not None:
            redemptions.redeem(shop, ada, str(base + 1), reward.id)
    # Gus spent his sign-up points in the old program: the member card of an empty wallet.
    from plugin import ledger
    from plugin.points import adjustments

    gus = _member_of(shop, base + 7)
    left = ledger.balance(shop.id, gus.id)
    if left > 0:
        adjustments.adjust_points(
            shop,
            gus,
            delta=-left,
            reason="Demo: points used in the old program",
            actor="demo",
            adjustment_id=f"{base + 7:032x}",
            confirmed=True,
        )
    _load_trade_in(shop)


def _load_trade_in(shop: Shop) -> None:
    """A recovery-value trade-in a member applied for, waiting for the merchant: approving it in
    the local admin emails the member the ship-by date (the local mailbox at /dev/mail)."""
    # local: dev-mode tooling, loaded when the demo runs
    from plugin.benefits import tradeins
    from plugin.models import Device, TradeIn
    from plugin.program.benefits.tradein import TradeInCondition

    if _exists(TradeIn, shop, TradeIn.state == "applied"):
        return
    devices = db.session.execute(
        select(Device.id, Device.member_id)
        .where(Device.shop_id == shop.id, Device.member_id.is_not(None))
        .order_by(Device.id.desc())
    ).all()  # the newest eligible unit: the first ones stay free for the estimator's own demo
    condition = TradeInCondition(
        cosmetic_wear=False, accessories_complete=True, original_packaging=True, working=True
    )
    for device_id, member_id in devices:
        member = db.session.get(Member, member_id)
        assert member is not None  # the device's member, by its foreign key
        try:
            _, quoted = tradeins.quote(shop, member, device_id, condition, actor="demo")
            if quoted is not None and quoted.kind == "recovery_value":
                # 2025-11 members give the unit's serial number (POLICY.md 5, step 2).
                tradeins.apply(
                    shop,
                    member,
                    quoted.id,
                    actor="demo",
                    serial=f"TSDEMO{shop.id:02d}{device_id:06d}",
                )
                return
        except Exception:  # a device the program does not take: try the next one
            db.session.rollback()


# --- the fake Admin API ---------------------------------------------------------------------------


def mirror_to_fake(
    app: Flask | None = None, fake: Any = None, *, shop_domain: str | None = None
) -> bool:
    """Copy shops, customers, products and orders of the database into the in-process fake.

    Needs an app context. Does nothing (False) unless the app talks to the in-process fake
    (``SHOPIFY_ADMIN_API=fake`` without ``FAKE_ADMIN_URL``). Seeding the same ids twice replaces
    them, so it is safe to call again.
    """
    app = app or current_app
    if app.config.get("SHOPIFY_ADMIN_API") != "fake" or app.config.get("FAKE_ADMIN_URL"):
        return False
    if fake is None:
        # local: dev-mode tooling, loaded when the demo runs
        from plugin.shopify.admin_api import fake_admin

        fake = fake_admin(app)
    stmt = select(Shop).order_by(Shop.id)
    if shop_domain is not None:
        stmt = stmt.where(Shop.domain == shop_domain)
    for shop in db.session.execute(stmt).scalars():
        _mirror_shop(fake, shop)
    return True


def _seeded(getter: Any, domain: str, record_gid: str) -> bool:
    try:
        getter(domain, record_gid)
    except KeyError:
        return False
    return True


def _mirror_shop(fake: Any, shop: Shop) -> None:
    # local: dev-mode tooling, loaded when the demo runs
    from plugin.shopify.fake.store import gid

    domain = shop.domain
    fake.configure_shop(
        domain,
        name=shop.name,
        currency_code=shop.currency,
        iana_timezone=shop.timezone,
        primary_host=shop.storefront_host or domain,
    )
    # Records the fake already has are left alone: it may have changed them (a refund, a consent).
    for customer in db.session.execute(
        select(ShopCustomer).where(ShopCustomer.shop_id == shop.id)
    ).scalars():
        if not customer.customer_id.isdigit() or _seeded(
            fake.customer, domain, gid("Customer", int(customer.customer_id))
        ):
            continue
        fake.add_customer(
            domain,
            email=customer.email or f"customer-{customer.customer_id}@demo.tesmart.example",
            verified_email=bool(customer.verified_email),
            marketing_state="SUBSCRIBED" if customer.newsletter_subscribed else "NOT_SUBSCRIBED",
            first_name=customer.first_name,
            last_name=customer.last_name,
            created_at=customer.created_at,
            customer_id=int(customer.customer_id),
        )
    for product in db.session.execute(select(Product).where(Product.shop_id == shop.id)).scalars():
        if product.product_id.isdigit():
            fake.add_product(
                domain,
                title=product.title,
                product_type=product.product_type,
                product_id=int(product.product_id),
            )
    devices_of: dict[str, list[Device]] = {}
    for device in db.session.execute(
        select(Device).where(Device.shop_id == shop.id).order_by(Device.id)
    ).scalars():
        devices_of.setdefault(device.order_id, []).append(device)
    for order in db.session.execute(select(Order).where(Order.shop_id == shop.id)).scalars():
        if not order.order_id.isdigit() or _seeded(
            fake.order, domain, gid("Order", int(order.order_id))
        ):
            continue
        devices = devices_of.get(order.order_id, [])
        lines = [
            {
                "price": str(d.amount_paid),
                "quantity": 1,
                "title": d.title,
                "product": gid("Product", int(d.product_id))
                if d.product_id and d.product_id.isdigit()
                else None,
            }
            for d in devices
        ] or [
            {
                "price": str(order.total_amount),
                "quantity": 1,
                "title": order.name or "Order",
                "product": None,
            }
        ]
        customer_gid = (
            gid("Customer", int(order.customer_id))
            if order.customer_id and order.customer_id.isdigit()
            else None
        )
        if customer_gid is not None and not _seeded(fake.customer, domain, customer_gid):
            customer_gid = None
        address = order.delivery_address or {}
        fake.add_order(
            domain,
            line_items=lines,
            customer=customer_gid,
            currency=order.currency,
            name=order.name,
            created_at=order.placed_at,
            cancelled_at=order.cancelled_at,
            test=bool(order.test),
            shipping_address={
                "address1": str(address.get("address1") or ""),
                "zip": str(address.get("zip") or ""),
                "city": str(address.get("city") or ""),
                "country_code": order.delivery_country or "",
            },
            fulfillments=[
                {
                    "created_at": order.fulfilled_at or order.placed_at,
                    "delivered_at": order.delivered_at,
                    "status": "SUCCESS",
                }
            ]
            if order.fulfilled_at
            else [],
            discount_codes=[str(c) for c in order.discount_codes or []],
            order_id=int(order.order_id),
        )
