"""The demo data (plugin.devtools.demo): every widget of the local storefront shows something real
in each of the four shops, read through the storefront API (so every answer is also held to
openapi.yaml by the test client)."""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from plugin.clock import MONOTONIC_EXTENSION, SLEEP_EXTENSION
from tests.conftest import SHOP_DOMAINS, Sleeps, _empty_tables, _shared_app, drain_jobs

pytestmark = pytest.mark.slow  # the demo's load (tests/conftest.py runs slow modules first)

GOOD_CONDITION = {
    "cosmetic_wear": False,
    "accessories_complete": True,
    "original_packaging": True,
    "working": True,
}


@dataclass
class LoadedDemo:
    summary: dict[str, Any]
    fake: Any  # the fake Admin API as the load left it (FakeAdminApi.snapshot)


@pytest.fixture(scope="module")
def loaded_demo(database_url: str, request: pytest.FixtureRequest) -> Iterator[LoadedDemo]:
    """The demo, loaded and committed once for the module (about 2 s of CPU a load); every table
    is emptied after the module's last test."""
    from plugin.devtools.demo import load_demo
    from plugin.extensions import db
    from plugin.shopify.admin_api import fake_admin

    # The app the module's tests get (jobs in-process or not, tests/conftest.py), as it was built.
    in_process = any(
        item.get_closest_marker("in_process_jobs")
        for item in request.session.items
        if item.path == request.path
    )
    app, pristine_config, pristine_extensions = _shared_app(database_url, in_process)
    sleeps = app.extensions[SLEEP_EXTENSION] = Sleeps()
    app.extensions[MONOTONIC_EXTENSION] = sleeps.monotonic
    if app.config["REDIS_URL"]:
        app.extensions["tesmart_queue"].connection.flushdb()  # as the app fixture does
    try:
        try:
            with app.app_context():
                # The fake Admin API is built (its schema loaded) before the clock starts: that is
                # the fake's one-off cost per process, not the demo's. CPU time, not wall time: a
                # machine busy with other work must not fail this, and on SQLite (as under `make
                # run`) all the work is this process's.
                fake = fake_admin(app)
                started = time.process_time()
                summary = load_demo(force=True)
                elapsed = time.process_time() - started
                drain_jobs(app)  # with Redis, the codes are made by the queued outbox jobs
                summary["seconds"] = elapsed
                loaded = LoadedDemo(summary, fake.snapshot())
                db.session.remove()
        finally:
            app.extensions.clear()
            app.extensions.update(pristine_extensions)
            app.config.clear()
            app.config.update(pristine_config)
        yield loaded
    finally:
        with app.app_context():  # also after a load that failed half-way
            db.session.remove()
            _empty_tables(db)
            db.engine.dispose()


@pytest.fixture()
def demo(app, fake_admin, loaded_demo: LoadedDemo) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The demo as loaded: each test starts from it (its own writes rolled back as usual), with
    the fake Admin API as the load left it."""
    fake_admin.restore(loaded_demo.fake)
    return copy.deepcopy(loaded_demo.summary)


def customers_of(demo: dict[str, Any], region: str) -> list[int]:
    return next(s["customers"] for s in demo["shops"] if s["shop"] == SHOP_DOMAINS[region])


def ok(response: Any) -> Any:
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_demo_loads_fast_refuses_a_database_with_shops_and_reloads_without_duplicates(
    demo, app
) -> None:  # type: ignore[no-untyped-def]
    from plugin.devtools.demo import load_demo
    from plugin.extensions import db
    from plugin.models import Campaign, CtrlFProgram, Redemption, Referral

    assert demo["loaded"] is True
    assert demo["seconds"] < 3.0, f"load_demo took {demo['seconds']:.2f} s"
    assert load_demo() == {"loaded": False, "reason": "the database already has shops"}

    def counts() -> list[int]:
        return [
            db.session.execute(select(func.count()).select_from(m)).scalar_one()
            for m in (Campaign, CtrlFProgram, Redemption, Referral)
        ]

    before = counts()
    assert load_demo(force=True)["loaded"] is True
    drain_jobs(app)
    assert counts() == before


def test_every_widget_shows_something_real_in_each_shop(demo, proxy) -> None:  # type: ignore[no-untyped-def]
    for region in ("us", "eu", "jp", "kr"):
        widgets_of(demo, proxy, region)


def widgets_of(demo: dict[str, Any], proxy: Any, region: str) -> None:
    ada, ben, chloe, *_ = customers_of(demo, region)

    member = ok(proxy("GET", "/member", shop=region, customer=ada))
    assert member["tesmart_id"]["status"] == "active" and member["points"]["balance"] > 0, region
    assert member["referral"] is not None
    assert [c["kind"] for c in member["campaigns"]] == ["points_multiplier"]

    rewards = ok(proxy("GET", "/rewards", shop=region, customer=ada))
    assert rewards["can_redeem"] and any(r["affordable"] for r in rewards["rewards"]), region

    codes = ok(proxy("GET", "/redemptions", shop=region, customer=ada))["redemptions"]
    assert {c["purpose"] for c in codes if c["status"] == "issued" and c["code"]} >= {
        "reward",
        "referral",
    }, region

    referral = ok(proxy("GET", "/referral", shop=region, customer=ada))
    assert sorted(f["status"] for f in referral["friends"]) == ["rewarded", "visited"], region
    assert referral["rewards_this_month"] == 1

    devices = {
        who: ok(proxy("GET", "/devices", shop=region, customer=who))["devices"]
        for who in (ada, ben, chloe)
    }
    every = [d for listed in devices.values() for d in listed]
    assert all(d["standard_warranty_end"] for d in every)
    assert any(d["extended_warranty_end"] for d in every), region

    eligible = [
        (who, d) for who, listed in devices.items() for d in listed if d["trade_in"]["eligible"]
    ]
    assert eligible, f"a device that can be traded in ({region})"
    who, device = eligible[0]
    quote = ok(
        proxy(
            "POST",
            "/trade-in/quote",
            shop=region,
            customer=who,
            json={"device_id": device["id"], "condition": GOOD_CONDITION},
        )
    )
    assert quote["eligible"] and quote["quote_id"] is not None and quote["reason"], region

    programs = ok(proxy("GET", "/ctrl-f", shop=region, customer=ada))["programs"]
    assert len(programs) == 1 and not programs[0]["applied"], region


def test_the_pending_demo_member_stays_pending_when_previewed(app, demo, client) -> None:  # type: ignore[no-untyped-def]
    """`make run` prints a preview link for the pending ID: looking is not logging in (dev only)."""
    from plugin.extensions import db
    from plugin.models import Member

    app.config["DEV_MODE"] = True
    dan = customers_of(demo, "us")[3]
    page = client.get(f"/dev/storefront?shop={SHOP_DOMAINS['us']}&customer={dan}&preview=1")
    assert page.status_code == 200
    body = client.get("/apps/tesmart/member").get_json()
    assert body["tesmart_id"]["status"] == "pending"
    db.session.expire_all()
    assert (
        db.session.execute(
            select(Member).where(Member.email_normalized == "dan.us@demo.tesmart.example")
        )
        .scalar_one()
        .activated_at
        is None
    )
    client.get(f"/dev/storefront?shop={SHOP_DOMAINS['us']}&customer={dan}")  # a real look logs in
    assert client.get("/apps/tesmart/member").get_json()["tesmart_id"]["status"] == "active"


def test_a_logged_out_friend_lands_on_the_local_storefront_with_the_code(app, demo, client) -> None:  # type: ignore[no-untyped-def]
    app.config["DEV_MODE"] = True
    ada = customers_of(demo, "us")[0]
    client.get(f"/dev/storefront?shop={SHOP_DOMAINS['us']}&customer={ada}")
    code = client.get("/apps/tesmart/referral").get_json()["code"]
    client.get(f"/dev/storefront?shop={SHOP_DOMAINS['us']}&customer=")
    landing = client.get(f"/apps/tesmart/r/{code}")
    assert landing.status_code == 302
    assert landing.headers["Location"] == f"/dev/storefront?tesmart_referral={code}"


@pytest.mark.parametrize("region", ["us", "eu", "jp", "kr"])
def test_the_demo_has_an_activated_member_with_no_points(demo, proxy, region) -> None:  # type: ignore[no-untyped-def]
    """`make run` prints a link for a member whose wallet is empty (Gus, N007)."""
    gus = customers_of(demo, region)[4]
    assert str(gus).endswith("007")
    body = ok(proxy("GET", "/member", shop=region, customer=gus))
    assert body["tesmart_id"]["status"] == "active" and body["tesmart_id"]["cohort"] == "2025-04"
    assert body["points"]["balance"] == 0
    assert body["terms"] and body["benefits"]
