"""The local storefront against the REAL app, in headless Chromium.

The app (``create_app``, dev mode) serves on loopback from a thread, with the demo data loaded into
the test database; every request the browser makes that is not to that server is aborted. Jobs run
in-process, as under ``make run``, so a redemption's code is made by the in-process fake Admin API
through the outbox while the widget polls. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from tests.browser import block_off_loopback, screenshot
from tests.conftest import base_config

sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

US = "tesmart-us.myshopify.com"
JP = "tesmart-jp.myshopify.com"
WIDGETS = ("member-status", "rewards", "referral", "trade-in", "devices")
KEYBOARD_STEPS = 120  # Tab presses allowed to reach a control (the page has about 40 stops)


@dataclass
class Storefront:
    base: str
    app: Flask
    demo: dict[str, Any]

    def customer(self, domain: str, index: int = 0) -> int:
        """A demo customer of a shop: 0 Ada (legacy), 1 Ben (2025-04), 2 Chloe (2025-11), 3 Dan."""
        shop = next(s for s in self.demo["shops"] if s["shop"] == domain)
        return int(shop["customers"][index])

    def query(self, fn: Any) -> Any:
        """Run ``fn()`` in the served app's context, with a fresh session (what the server sees)."""
        from plugin.extensions import db

        with self.app.app_context():
            try:
                return fn()
            finally:
                db.session.remove()


@pytest.fixture(scope="module")
def storefront(database_url: str) -> Iterator[Storefront]:
    """The app on loopback with the demo loaded once for the module (the tests read what they
    assert from the database, so they share it); the tables are emptied afterwards."""
    from plugin import create_app
    from plugin.devtools.demo import load_demo
    from plugin.extensions import db
    from plugin.jobs.queue import InProcessQueue
    from tests.conftest import _empty_tables
    from webhooks.receiver import _shop_cache

    served = create_app(base_config(database_url))
    # No rq worker runs here: jobs run in-process, as under `make run`, so the outbox issues codes.
    served.config["REDIS_URL"] = ""
    served.extensions["tesmart_queue"] = InProcessQueue()
    with served.app_context():
        demo = load_demo(force=True)
        db.session.remove()
    http = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield Storefront(f"http://127.0.0.1:{http.server_port}", served, demo)
    finally:
        http.shutdown()
        thread.join(timeout=5)
        with served.app_context():
            db.session.remove()
            _empty_tables(db)
            db.engine.dispose()
        _shop_cache.clear()


@pytest.fixture
def page(chromium: Any, storefront: Storefront) -> Iterator[Any]:
    context = chromium.new_context(locale="en-US", timezone_id="UTC", base_url=storefront.base)
    blocked = block_off_loopback(context)
    page = context.new_page()
    page.errors = []
    page.blocked = blocked
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("console", lambda msg: page.errors.append(msg.text) if msg.type == "error" else None)
    yield page
    context.close()
    assert blocked == [], f"the storefront asked for something off this machine: {blocked}"


def open_store(page: Any, shop: str, customer: int | str) -> None:
    page.goto(f"/dev/storefront?shop={shop}&customer={customer}")
    wait_for_widgets(page)


def wait_for_widgets(page: Any) -> None:
    for kind in WIDGETS:
        page.wait_for_selector(f'[data-tesmart="{kind}"]:not([aria-busy])')


def widget(page: Any, kind: str) -> Any:
    return page.locator(f'[data-tesmart="{kind}"]')


def ledger_balance(storefront: Storefront, domain: str, customer: int) -> int:
    from plugin import ledger
    from plugin.extensions import db
    from plugin.models import ShopCustomer
    from plugin.shops.registry import find_shop

    def read() -> int:
        shop = find_shop(domain)
        row = db.session.execute(
            select(ShopCustomer).where(
                ShopCustomer.shop_id == shop.id, ShopCustomer.customer_id == str(customer)
            )
        ).scalar_one()
        return ledger.balance(shop.id, row.member_id)

    return storefront.query(read)


def newest(storefront: Storefront, model: Any, domain: str, customer: int | None = None) -> Any:
    from plugin.extensions import db
    from plugin.shops.registry import find_shop

    def read() -> Any:
        shop = find_shop(domain)
        stmt = select(model).where(model.shop_id == shop.id)
        if customer is not None:
            stmt = stmt.where(model.customer_id == str(customer))
        found = db.session.execute(stmt.order_by(model.id.desc()).limit(1)).scalar_one_or_none()
        if found is not None:
            db.session.expunge(found)
        return found

    return storefront.query(read)


def focused(page: Any) -> dict[str, Any]:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            return {
                tag: el.tagName, text: (el.textContent || '').trim(),
                label: el.getAttribute('aria-label'),
                cls: el.className, visible: el.matches(':focus-visible'),
                outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
            };
        }"""
    )


def tab_to(page: Any, matches: Any, what: str) -> dict[str, Any]:
    """Press Tab until the focused element satisfies ``matches``; fail if it never does."""
    for _ in range(KEYBOARD_STEPS):
        page.keyboard.press("Tab")
        now = focused(page)
        if matches(now):
            return now
    raise AssertionError(f"Tab never reached {what}")


def test_a_member_sees_the_ledger_balance_redeems_a_reward_and_gets_the_code(
    page: Any, storefront: Storefront
) -> None:
    from plugin.models import Redemption

    ada = storefront.customer(US)
    balance = ledger_balance(storefront, US, ada)
    assert balance > 0
    open_store(page, US, ada)

    member = widget(page, "member-status")
    assert f"Points balance{balance:,} points" in member.inner_text().replace("\n", "")
    assert "Member Week: 2X points" in member.inner_text()  # the demo's campaign
    rewards = widget(page, "rewards")
    assert f"You have {balance:,} points." in rewards.inner_text()
    referral = widget(page, "referral")
    assert (
        "You were rewarded" in referral.inner_text()
        and "Visited the store" in referral.inner_text()
    )
    assert "Extended warranty until" in widget(page, "devices").inner_text()
    screenshot(page, "storefront-us-member")

    card = (
        rewards.locator(".tesmart__card")
        .filter(has=page.get_by_role("button", name="Redeem"))
        .first
    )
    points = int(re.sub(r"\D", "", card.locator(".tesmart__muted").inner_text()))
    card.get_by_role("button", name="Redeem").click()
    card.get_by_role("button", name="Yes, redeem").click()
    sync_api.expect(rewards.get_by_role("status")).to_have_text(
        "Your discount code is ready. Enter it at checkout.", timeout=10_000
    )

    issued = newest(storefront, Redemption, US, ada)
    assert issued.state == "issued" and issued.points == points
    code_box = rewards.locator(".tesmart__codes input").first
    assert code_box.input_value() == issued.code
    assert (
        rewards.locator(".tesmart__codes").get_by_label("Discount code").count() >= 2
    )  # with the demo's
    assert ledger_balance(storefront, US, ada) == balance - points
    sync_api.expect(rewards).to_contain_text(f"You have {balance - points:,} points.")
    screenshot(page, "storefront-us-redeemed")
    assert page.errors == []


def test_a_trade_in_quote_for_a_demo_device(page: Any, storefront: Storefront) -> None:
    from plugin.models import TradeIn

    chloe = storefront.customer(US, 2)
    open_store(page, US, chloe)
    trade_in = widget(page, "trade-in")
    matrix = trade_in.locator("option", has_text="8x8 HDMI Matrix").inner_text()
    trade_in.get_by_label("Device").select_option(label=matrix)
    for answer in (
        "All standard accessories are included",
        "The original packaging is included and undamaged",
        "It powers on and works normally",
    ):
        trade_in.get_by_label(answer).check()
    trade_in.get_by_role("button", name="Get an estimate").click()
    result = trade_in.locator(".tesmart__result")
    sync_api.expect(result).to_contain_text("Estimated value:")

    quote = newest(storefront, TradeIn, US)
    assert quote.state == "quoted" and quote.kind == "recovery_value" and quote.currency == "USD"
    assert quote.value > Decimal(0)
    assert f"Estimated value: ${quote.value:,.2f}" in result.inner_text()
    assert f"{quote.percent.normalize():f}% of the price you paid" in result.inner_text()
    screenshot(page, "storefront-us-trade-in-quote")

    trade_in.get_by_label("Serial number").fill("TES-MX8-DEMO-01")
    trade_in.get_by_role("button", name="Apply for this trade-in").click()
    sync_api.expect(trade_in).to_contain_text("Application received.")
    assert newest(storefront, TradeIn, US).state == "applied"
    assert page.errors == []


def test_switching_to_the_japanese_store_shows_japanese_text_and_yen(
    page: Any, storefront: Storefront
) -> None:
    open_store(page, US, storefront.customer(US))
    page.get_by_role("link", name=re.compile(r"· JP · JPY · ja")).click()
    page.wait_for_url(re.compile(r"shop=tesmart-jp"))
    ada_jp = storefront.customer(JP)
    page.get_by_label("Logged-in customer id").fill(str(ada_jp))
    page.get_by_role("button", name="Switch").click()
    page.wait_for_url(re.compile(rf"customer={ada_jp}"))
    wait_for_widgets(page)

    assert page.locator("html").get_attribute("lang") == "ja"
    balance = ledger_balance(storefront, JP, ada_jp)
    member = widget(page, "member-status").inner_text()
    assert "TESmart メンバーシップ" in member and "ポイント残高" in member
    assert f"{balance:,}ポイント" in member
    assert "メンバーウィーク：ポイント2倍" in member  # the demo's campaign, in the store's language
    rewards = widget(page, "rewards").inner_text()
    assert "ポイント交換" in rewards
    # Intl formats yen with no minor unit, as ￥800 (ja-JP) or 800円.
    assert re.search(r"[￥¥]\s?800割引|800\s?円割引", rewards), rewards
    assert not re.search(r"800\.00", rewards)
    referral = widget(page, "referral").inner_text()
    assert re.search(r"[￥¥]\s?1,500|1,500\s?円", referral), referral
    assert "保証" in widget(page, "devices").inner_text()
    screenshot(page, "storefront-jp-member")
    assert page.errors == []


def test_the_storefront_works_from_the_keyboard_alone(page: Any, storefront: Storefront) -> None:
    from plugin.models import Redemption

    ada = storefront.customer(US)
    open_store(page, US, ada)
    page.locator("body").focus()

    redeem = tab_to(
        page, lambda f: f["tag"] == "BUTTON" and f["text"] == "Redeem", "a Redeem button"
    )
    assert redeem["visible"] and redeem["outline"], "the focused control shows a focus ring"
    page.keyboard.press("Enter")
    confirm = focused(page)
    assert confirm["text"] == "Yes, redeem" and confirm["outline"]
    page.keyboard.press("Space")
    rewards = widget(page, "rewards")
    sync_api.expect(rewards.get_by_role("status")).to_have_text(
        "Your discount code is ready. Enter it at checkout.", timeout=10_000
    )
    copy = focused(page)
    assert copy["text"] == "Copy", "focus moves to the new code's Copy button"
    assert (
        rewards.locator(".tesmart__codes input").first.input_value()
        == newest(storefront, Redemption, US, ada).code
    )

    launcher = tab_to(page, lambda f: "tesmart-launcher__button" in f["cls"], "the launcher")
    assert launcher["visible"] and launcher["outline"]
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="TESmart Members")
    sync_api.expect(dialog).to_be_visible()
    assert focused(page)["label"] == "Close"
    sync_api.expect(dialog.locator(".tesmart--member-status")).to_contain_text("Points balance")
    tab = tab_to(
        page, lambda f: f["text"] == "Rewards" and "tesmart__tab" in f["cls"], "the Rewards tab"
    )
    assert tab["outline"]
    page.keyboard.press("Space")
    sync_api.expect(dialog.locator(".tesmart--rewards")).to_contain_text("You have")
    screenshot(page, "storefront-us-launcher-keyboard")
    page.keyboard.press("Escape")
    sync_api.expect(dialog).to_be_hidden()
    assert "tesmart-launcher__button" in focused(page)["cls"], "focus returns to the launcher"
    sync_api.expect(page.locator(".tesmart-launcher__button")).to_have_attribute(
        "aria-expanded", "false"
    )

    page.keyboard.press("Space")  # a button opens with Space as with Enter
    sync_api.expect(dialog).to_be_visible()
    page.keyboard.press("Enter")  # focus is on Close
    sync_api.expect(dialog).to_be_hidden()
    assert page.errors == []
