# ruff: noqa: F811  (the fixtures are imported, and named as arguments)
"""The shopper's whole journey in each of the four stores, in headless Chromium against the real
app (the module fixture of test_storefront_browser.py: demo data, jobs in-process).

A visitor sees the join pitch; members check a return and send one with a photo, apply for CTRL F
and send feedback, get a trade-in quote with the default answers (base, deductions, value), apply,
enter the tracking number, ask for a warranty exchange and withdraw it, and redeem, with the new
balance on every card. Layout shift stays under 0.1 at 1280 and 390 px, for a visitor and a member.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from tests.browser import screenshot
from tests.storefront.test_storefront_browser import (  # noqa: F401  (fixtures)
    Storefront,
    ledger_balance,
    newest,
    page,
    storefront,
    widget,
)

sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

STORES = {
    "us": "tesmart-us.myshopify.com",
    "eu": "tesmart-eu.myshopify.com",
    "jp": "tesmart-jp.myshopify.com",
    "kr": "tesmart-kr.myshopify.com",
}
ALL_WIDGETS = ("member-status", "rewards", "referral", "trade-in", "devices", "returns", "ctrl-f")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 512
# Text that may stay as it is in every language: the program's and products' names, codes.
ALLOWED = re.compile(
    r"TESmart|CTRL "
    r"F|KVM|HDMI|Matrix|Extender|Switch|Port|4K60|ID|MB|JPEG|PNG|WebP|HEIC|MP4|MOV|WebM|"
    r"DE|US|JP|KR|Demo|TSM[-\w]*|FRIEND[-\w]*|REF[-\w]*|[A-Z0-9]{6,}"
)
ENGLISH_WORDS = re.compile(
    r"\b(?:the|and|your|you|off|points?|with|for|this|order|warranty|trade|account|log|request|send|member)\b",
    re.I,
)


def open_store(page: Any, shop: str, customer: int | str, width: int = 1280) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/dev/storefront?shop={shop}&customer={customer}")
    for kind in ALL_WIDGETS:
        page.wait_for_selector(f'[data-tesmart="{kind}"]:not([aria-busy])', timeout=15_000)


def layout_shift(page: Any) -> float:
    """The page's cumulative layout shift so far (buffered layout-shift entries)."""
    return page.evaluate(
        """() => new Promise(done => {
            let total = 0;
            new PerformanceObserver(list => {
                for (const e of list.getEntries()) if (!e.hadRecentInput) total += e.value;
            }).observe({type: 'layout-shift', buffered: true});
            setTimeout(() => done(total), 300);
        })"""
    )


def strings(locale: str) -> dict[str, str]:
    from plugin.devtools.theme_markup import load_strings

    return {f"{g}.{k}": v for g, keys in load_strings(locale).items() for k, v in keys.items()}


def claimable_device(storefront: Storefront, domain: str) -> tuple[int, int]:
    """(customer, device id) of a demo member whose device can ask for the warranty exchange."""
    from plugin.benefits.devices import devices_payload
    from plugin.extensions import db
    from plugin.models import Member, ShopCustomer
    from plugin.shops.registry import find_shop

    def read() -> tuple[int, int]:
        shop = find_shop(domain)
        for index in range(3):
            customer = storefront.customer(domain, index)
            row = db.session.execute(
                select(ShopCustomer).where(
                    ShopCustomer.shop_id == shop.id, ShopCustomer.customer_id == str(customer)
                )
            ).scalar_one()
            for device in devices_payload(shop, db.session.get(Member, row.member_id)):
                if device["warranty"]["claim_available"]:
                    return customer, device["id"]
        raise AssertionError(f"no demo device of {domain} can ask for the exchange")

    return storefront.query(read)


@pytest.mark.parametrize("region", list(STORES))
def test_the_whole_journey(page: Any, storefront: Storefront, region: str) -> None:
    from plugin.benefits import ctrlf, tradeins
    from plugin.models import CtrlFApplication, ReturnRequest, TradeIn
    from plugin.shops.registry import find_shop

    domain = STORES[region]
    locale = storefront.query(lambda: find_shop(domain).locale)
    s = strings(locale)

    # A visitor: the join pitch from the store's own rules, with register and log-in links.
    open_store(page, domain, "")
    pitch = widget(page, "member-status")
    sync_api.expect(pitch.get_by_role("link", name=s["common.register"])).to_be_visible()
    assert pitch.get_by_role("link", name=s["common.log_in"]).count() >= 1
    text = pitch.inner_text()
    assert "100" in text and re.search(r"2[,.]?000", text), text  # sign-up and order points
    assert "30" in text  # the 30% coupon of the catalogue
    assert layout_shift(page) < 0.1

    chloe = storefront.customer(domain, 2)
    order_name = storefront.query(lambda: _order_name(domain, chloe))
    open_store(page, domain, chloe)

    # Returns: check, then send the request with a photo.
    returns = widget(page, "returns")
    returns.get_by_label(s["returns.order_label"]).fill(order_name)
    returns.get_by_role("button", name=s["returns.check"]).click()
    returns.get_by_label(s["returns.proof_label"]).wait_for()
    returns.get_by_label(s["returns.proof_label"]).fill(order_name)
    returns.get_by_label(s["returns.address1_label"]).fill("1 Demo Street")
    returns.get_by_label(s["returns.city_label"]).fill("Springfield")
    returns.get_by_label(s["returns.country_label"]).fill(
        {"us": "US", "eu": "DE", "jp": "JP", "kr": "KR"}[region]
    )
    returns.get_by_label(s["returns.phone_label"]).fill("+1 555 0100")
    returns.get_by_label(s["common.files_label"]).set_input_files(
        files=[{"name": "port.jpg", "mimeType": "image/jpeg", "buffer": JPEG}]
    )
    returns.get_by_role("button", name=s["returns.send"]).click()
    sync_api.expect(returns).to_contain_text(s["returns.sent"], timeout=10_000)
    sent = newest(storefront, ReturnRequest, domain, chloe)
    assert sent is not None and len(sent.photos) == 1 and sent.photos[0].startswith("upload:")

    # CTRL F: apply, get selected by the merchant, send feedback.
    tests = widget(page, "ctrl-f")
    tests.get_by_label(s["ctrl_f.setup_label"]).fill("Two PCs, one 34-inch monitor")
    tests.get_by_label(s["ctrl_f.devices_label"]).fill("Mac mini, ThinkPad")
    tests.get_by_role("button", name=s["ctrl_f.apply"]).click()
    sync_api.expect(tests).to_contain_text(s["ctrl_f.applied"])
    application = newest(storefront, CtrlFApplication, domain, chloe)
    storefront.query(lambda: ctrlf.select_member(find_shop(domain), application.id, "staff:demo"))

    # Trade-in: the default answers (a device in good order) give the base, no deduction, the value.
    trade_in = widget(page, "trade-in")
    for box in trade_in.locator("input[type=checkbox]").all():
        assert box.is_checked()
    matrix = trade_in.locator("option", has_text="8x8 HDMI Matrix").inner_text()
    trade_in.get_by_label(s["trade_in.device_label"]).select_option(label=matrix)
    trade_in.get_by_role("button", name=s["trade_in.get_quote"]).click()
    result = trade_in.locator(".tesmart__result")
    sync_api.expect(result).to_contain_text(s["trade_in.result"])
    quote = newest(storefront, TradeIn, domain)
    assert quote.state == "quoted" and quote.value > 0
    assert s["trade_in.base"].split("{percent}")[-1].strip() in result.inner_text()
    trade_in.get_by_label(s["trade_in.serial_label"]).fill(f"TES-MX8-{region.upper()}-01")
    trade_in.get_by_role("button", name=s["trade_in.apply"]).click()
    sync_api.expect(trade_in).to_contain_text(s["trade_in.applied"])
    assert trade_in.inner_text().count(s["trade_in.applied"]) == 1  # said once
    assert trade_in.get_by_label(s["trade_in.serial_label"]).get_attribute("readonly") is not None
    storefront.query(lambda: tradeins.approve(find_shop(domain), quote.id, "staff:demo"))

    # After the merchant's steps: tracking number and feedback, from a fresh page.
    open_store(page, domain, chloe)
    devices = widget(page, "devices")
    devices.get_by_label(s["devices.tracking_label"]).fill("1Z999AA10123456784")
    devices.get_by_role("button", name=s["devices.tracking_save"]).click()
    sync_api.expect(devices).to_contain_text("1Z999AA10123456784")
    assert newest(storefront, TradeIn, domain).tracking_number == "1Z999AA10123456784"
    tests = widget(page, "ctrl-f")
    tests.get_by_label(s["ctrl_f.feedback_label"]).fill("Switching is instant.")
    tests.get_by_role("button", name=s["ctrl_f.send_feedback"]).click()
    sync_api.expect(tests).to_contain_text(s["ctrl_f.feedback_sent"])
    assert newest(storefront, CtrlFApplication, domain, chloe).feedback == "Switching is instant."

    # Warranty: ask for the exchange, see it waiting, withdraw it.
    customer, device_id = claimable_device(storefront, domain)
    open_store(page, domain, customer)
    cards = page.locator(".tesmart--devices .tesmart__card")
    index = next(
        i
        for i in range(cards.count())
        if cards.nth(i).get_by_role("button", name=s["devices.claim"]).count()
    )
    card = cards.nth(index)
    card.get_by_role("button", name=s["devices.claim"]).click()
    card.get_by_label(s["devices.claim_description"]).fill("Port 3 no longer switches.")
    serial = card.get_by_label(s["devices.serial_label"])
    if serial.count():
        serial.last.fill(
            f"TES-SW-{region.upper()}-{customer}"
        )  # the request's own field, after the card's
    card.get_by_label(s["common.files_label"]).set_input_files(
        files=[{"name": "fault.jpg", "mimeType": "image/jpeg", "buffer": JPEG}]
    )
    card.get_by_role("button", name=s["devices.claim_submit"]).click()
    waiting = s["devices.claim_state"].replace("{state}", s["devices.claim_open"])
    sync_api.expect(widget(page, "devices")).to_contain_text(waiting)
    claim = _newest_claim(storefront, domain)
    assert claim.state == "open"
    assert len(claim.photos) == 1 and claim.photos[0].startswith(
        f"upload:{customer}/"
    )  # the photo went with it
    widget(page, "devices").get_by_role("button", name=s["devices.claim_withdraw"]).click()
    sync_api.expect(widget(page, "devices")).not_to_contain_text(waiting)
    assert _newest_claim(storefront, domain).state == "withdrawn"

    # Redeem: the new balance on every card.
    balance = ledger_balance(storefront, domain, customer)
    rewards = widget(page, "rewards")
    cards = rewards.locator(".tesmart__card")
    card = cards.nth(
        next(
            i
            for i in range(cards.count())
            if cards.nth(i).get_by_role("button", name=s["rewards.redeem"]).count()
        )
    )
    points = int(re.sub(r"\D", "", card.locator(".tesmart__muted").inner_text()))
    card.get_by_role("button", name=s["rewards.redeem"]).click()
    card.get_by_role("button", name=s["rewards.confirm_yes"]).click()
    sync_api.expect(rewards.get_by_role("status")).to_have_text(
        s["rewards.code_ready"], timeout=15_000
    )
    after = ledger_balance(storefront, domain, customer)
    assert after == balance - points
    shown = f"{after:,}".replace(",", "." if locale == "de" else ",")  # as Intl groups it
    sync_api.expect(widget(page, "member-status")).to_contain_text(shown)
    sync_api.expect(rewards).to_contain_text(shown)
    screenshot(page, f"journey-{region}")
    assert page.errors == []


def _order_name(domain: str, customer: int) -> str:
    from plugin.extensions import db
    from plugin.models import Order
    from plugin.shops.registry import find_shop

    shop = find_shop(domain)
    return (
        db.session.execute(
            select(Order.name)
            .where(Order.shop_id == shop.id, Order.customer_id == str(customer))
            .order_by(Order.placed_at.desc())
        )
        .scalars()
        .first()
    )


def _newest_claim(storefront: Storefront, domain: str) -> Any:
    from plugin.models import WarrantyClaim

    return newest(storefront, WarrantyClaim, domain)


@pytest.mark.parametrize("region", ["eu", "jp", "kr"])
def test_no_english_is_visible_in_the_german_japanese_and_korean_stores(
    page: Any, storefront: Storefront, region: str
) -> None:
    domain = STORES[region]
    found: list[str] = []
    terms_title = strings({"eu": "de", "jp": "ja", "kr": "ko"}[region])["member.terms_title"]
    # The visitor, then every demo member: Ada, Ben, Chloe, Dan (pending) and Gus (no points).
    for customer in ("", *(storefront.customer(domain, i) for i in range(5))):
        open_store(page, domain, customer)
        if customer and customer != storefront.customer(domain, 3):
            # Each active member's own terms are on the card, so their texts are scanned too.
            sync_api.expect(widget(page, "member-status")).to_contain_text(terms_title)
        page.locator(".tesmart-launcher__button").click()
        tabs = page.locator(".tesmart__tab").all()
        for tab in tabs:
            tab.click()
        # Every tab's pane is drawn (its panel holds what it rendered, or its error) before the
        # texts are read.
        page.wait_for_function(
            """count => {
                const panes = document.querySelectorAll('.tesmart-dialog__body > .tesmart');
                return panes.length === count
                    && [...panes].every(pane => pane.querySelector('.tesmart__panel > *'));
            }""",
            arg=len(tabs),
        )
        texts = page.evaluate(
            """() => [...document.querySelectorAll('.tesmart, .tesmart-dialog')].flatMap(root => {
                const out = [];
                const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
                while (walk.nextNode()) {
                    const n = walk.currentNode, p = n.parentElement;
                    if (p.closest('script, .tesmart__sr')) continue;
                    if (n.textContent.trim()) out.push(n.textContent.trim());
                }
                root.querySelectorAll('[aria-label], option, input[placeholder]')
                    .forEach(e => out.push(e.getAttribute('aria-label') || e.textContent));
                return out;
            })"""
        )
        for text in texts:
            rest = ALLOWED.sub("", text or "")
            if ENGLISH_WORDS.search(rest):
                found.append(f"{customer or 'visitor'}: {text}")
        page.keyboard.press("Escape")
    assert found == []


@pytest.mark.parametrize("width", [1280, 390])
def test_layout_shift_stays_under_0_1(page: Any, storefront: Storefront, width: int) -> None:
    domain = STORES["us"]
    for customer in ("", storefront.customer(domain, 0)):
        open_store(page, domain, customer, width)
        cls = layout_shift(page)
        print(f"CLS {width}px {'member' if customer else 'visitor'}: {cls:.3f}")
        assert cls < 0.1
