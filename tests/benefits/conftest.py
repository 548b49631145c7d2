"""Fixtures for the member-benefit tests: a KVM catalogue in three shops, shoppers who buy through
webhooks, members of each cohort, and the signed storefront API checked against openapi.yaml."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from plugin.extensions import db
from plugin.models import Device, Member, Shop
from plugin.models.types import utcnow
from tests import payloads
from tests.conftest import SHOP_DOMAINS, drain_jobs
from tests.contract.openapi_check import assert_response_matches_openapi

CURRENCY = {"us": "USD", "eu": "EUR", "jp": "JPY"}
COUNTRY = {"us": "US", "eu": "DE", "jp": "JP"}
PRICE = {"USD": "129.00", "EUR": "119.00", "JPY": "16800"}
# Registration days that fix each cohort (POLICY.md 2); purchases are dated relative to today.
REGISTERED = {
    "legacy": datetime(2024, 6, 1, 12, tzinfo=UTC),
    "2025-04": datetime(2025, 6, 1, 12, tzinfo=UTC),
    "2025-11": datetime(2025, 11, 5, 12, tzinfo=UTC),
}
WORN_NO_BOX = {
    "cosmetic_wear": True,
    "accessories_complete": True,
    "original_packaging": False,
    "working": True,
}
MINT = {
    "cosmetic_wear": False,
    "accessories_complete": True,
    "original_packaging": True,
    "working": True,
}


@pytest.fixture(autouse=True)
def _release_connections(request):  # type: ignore[no-untyped-def]
    """Close the test app's pooled connections once its own teardown (emptying the tables) is
    done: each test builds an app with its own engine, and the PostgreSQL server is shared by
    concurrent suites with a connection limit. Autouse fixtures are set up first, so this one is
    torn down last."""
    yield
    app = request.node.funcargs.get("app")
    if app is not None:
        with app.app_context():
            db.engine.dispose()


def store_today(region: str = "us") -> date:
    """Today in the region's store (its default zone): the day the app judges windows on."""
    from plugin import clock

    return clock.today(clock.zone(None, region))


def ago(days: int) -> str:
    return (utcnow() - timedelta(days=days)).isoformat()


def shop(region: str) -> Shop:
    return db.session.execute(select(Shop).where(Shop.domain == SHOP_DOMAINS[region])).scalar_one()


def member(email: str) -> Member:
    db.session.expire_all()
    return db.session.execute(
        select(Member).where(Member.email_normalized == email.casefold())
    ).scalar_one()


@dataclass
class Shopper:
    region: str
    email: str
    customer: dict[str, Any]
    orders: list[dict[str, Any]]

    @property
    def customer_id(self) -> int:
        return int(self.customer["id"])

    @property
    def member(self) -> Member:
        return member(self.email)

    @property
    def shop(self) -> Shop:
        return shop(self.region)

    def devices(self) -> list[Device]:
        db.session.expire_all()
        order_ids = [str(o["id"]) for o in self.orders]
        return list(
            db.session.execute(
                select(Device)
                .where(Device.order_id.in_(order_ids), Device.state == "registered")
                .order_by(Device.id)
            ).scalars()
        )

    @property
    def device(self) -> Device:
        return self.devices()[-1]


@pytest.fixture()
def kvm(shops, deliver) -> dict[str, dict[str, Any]]:  # type: ignore[no-untyped-def]
    """A KVM switch, a KVM extender and a cable in the US, EU and JP shops."""
    catalogue: dict[str, dict[str, Any]] = {}
    for region in CURRENCY:
        items = {
            "switch": payloads.product(
                title="TESmart 4-port HDMI KVM switch", product_type="KVM Switch"
            ),
            "extender": payloads.product(
                title="TESmart HDMI KVM extender", product_type="KVM Extender"
            ),
            "cable": payloads.product(title="HDMI cable", product_type="Cable"),
        }
        for item in items.values():
            assert deliver("products/create", item, shop=region).status_code == 200
        catalogue[region] = items
    return catalogue


@pytest.fixture()
def shopper(deliver, kvm) -> Callable[..., Shopper]:  # type: ignore[no-untyped-def]
    """A customer created and buying through webhooks: ``shopper("ann@x.com", cohort="legacy")``.

    ``cohort`` imports the member with that cohort's registration day (the CLI's service); without
    it the ID stays pending until the shopper is seen logged in (then cohort 2025-11).
    """

    def make(
        email: str,
        region: str = "us",
        *,
        cohort: str | None = None,
        bought_days_ago: int = 200,
        product: str = "switch",
        price: str | None = None,
        country: str | None = None,
        customer: dict[str, Any] | None = None,
    ) -> Shopper:
        customer = customer or payloads.customer(email=email)
        assert deliver("customers/create", customer, shop=region).status_code == 200
        if cohort is not None:
            from plugin.accounts import import_member

            import_member(email, REGISTERED[cohort])
            db.session.commit()
        person = Shopper(region, email, customer, [])
        person_buy(
            deliver,
            kvm,
            person,
            product=product,
            price=price,
            country=country,
            days=bought_days_ago,
        )
        return person

    return make


def person_buy(
    deliver: Callable[..., Any],
    kvm: dict[str, dict[str, Any]],
    person: Shopper,
    *,
    product: str = "switch",
    price: str | None = None,
    country: str | None = None,
    days: int = 200,
) -> dict[str, Any]:
    currency = CURRENCY[person.region]
    line = payloads.line_item(
        kvm[person.region][product]["id"], price or PRICE[currency], currency=currency
    )
    order = payloads.order(
        lines=[line],
        customer_block=person.customer,
        currency=currency,
        country=country or COUNTRY[person.region],
        created_at=ago(days),
        shipping="10.00" if currency != "JPY" else "1000",
    )
    assert deliver("orders/paid", order, shop=person.region).status_code == 200
    person.orders.append(order)
    return order


@pytest.fixture()
def buy(deliver, kvm) -> Callable[..., dict[str, Any]]:  # type: ignore[no-untyped-def]
    def another(person: Shopper, **kwargs: Any) -> dict[str, Any]:
        return person_buy(deliver, kvm, person, **kwargs)

    return another


@pytest.fixture()
def api(proxy) -> Callable[..., Any]:  # type: ignore[no-untyped-def]
    """The signed storefront API, every answer checked against openapi.yaml."""

    def call(
        method: str,
        path: str,
        person: Shopper | None = None,
        *,
        region: str | None = None,
        json: Any = None,
    ) -> Any:
        response = proxy(
            method,
            path,
            shop=region or (person.region if person else "us"),
            customer=person.customer_id if person else None,
            json=json,
        )
        assert_response_matches_openapi(response)
        return response

    return call


@pytest.fixture()
def drain(app) -> Callable[[], None]:  # type: ignore[no-untyped-def]
    """Run queued jobs (outbox items) when jobs go through Redis; in-process they already ran."""

    def run() -> None:
        drain_jobs(app)
        db.session.expire_all()

    return run
