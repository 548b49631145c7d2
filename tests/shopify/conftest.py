"""Fixtures for the Shopify boundary: a fake Admin API on a manual clock, and clients of it.

No Flask app is involved: these tests exercise plugin/shopify on its own.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from plugin.shopify.client import AdminClient, CostBuckets
from plugin.shopify.fake import FakeAdminApi, ManualClock
from plugin.shopify.schema import admin_schema

SHOP = "tesmart-us.myshopify.com"


@pytest.fixture(scope="session", autouse=True)
def _schema_loaded_once() -> None:
    # About a second per process; every test after the first reuses it.
    admin_schema()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def fake(clock: ManualClock) -> FakeAdminApi:
    return FakeAdminApi(clock=clock.monotonic, now=clock.utcnow, sleep=clock.sleep)


@pytest.fixture
def http(fake: FakeAdminApi) -> Iterator[httpx.Client]:
    with fake.http_client() as client:
        yield client


@pytest.fixture
def buckets() -> CostBuckets:
    return CostBuckets()


@pytest.fixture
def make_client(http: httpx.Client, clock: ManualClock, buckets: CostBuckets):
    def make(shop: str = SHOP, token: str = "shpat_test", **options: object) -> AdminClient:
        settings: dict[str, object] = {
            "http_client": http,
            "sleep": clock.sleep,
            "clock": clock.monotonic,
            "buckets": buckets,
            "jitter": lambda: 0.0,
        }
        settings.update(options)
        return AdminClient(shop, token, **settings)  # type: ignore[arg-type]

    return make


@pytest.fixture
def client(make_client) -> AdminClient:
    return make_client()


@pytest.fixture
def customer(fake: FakeAdminApi) -> str:
    return fake.add_customer(SHOP, email="ada@example.com", tags=["newsletter"])
