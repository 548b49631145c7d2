"""The widgets in headless Chromium: the dev storefront against a fake, signature-checking /proxy.

The fake answers with the examples of ``openapi.yaml`` (validated by tests/contract), so the
script is exercised with contract-shaped data in USD and JPY. Skipped when Playwright or a
Chromium is not available.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, jsonify, request
from shopify_app import verify_app_proxy_req
from werkzeug.serving import make_server

from plugin.devtools import dev_storefront
from plugin.devtools import shops as dev_shops
from tests.contract.openapi_check import load_spec

sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SECRET = "browser-test-secret"
US = "tesmart-us.myshopify.com"
JP = "tesmart-jp.myshopify.com"
SHOPS = [
    {"domain": US, "name": "tesmart.com", "region": "us", "currency": "USD", "locale": "en"},
    {"domain": JP, "name": "tesmart.jp", "region": "jp", "currency": "JPY", "locale": "ja"},
]
SECTION_KINDS = ("member-status", "rewards", "referral", "trade-in", "devices", "returns", "ctrl-f")
SPEC = load_spec()


def example(path: str, method: str, status: str, name: str) -> Any:
    media = SPEC["paths"][path][method]["responses"][status]["content"]["application/json"]
    found = media["examples"][name]
    if "$ref" in found:  # '#/components/examples/...'
        found = SPEC["components"]["examples"][found["$ref"].rsplit("/", 1)[1]]
    return copy.deepcopy(found["value"])


class FakeStorefrontApi:
    """Answers /proxy/* like the storefront blueprint would, and records what it was asked."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.calls: list[tuple[str, str, Any]] = []
        self.overrides: dict[tuple[str, str], tuple[Any, int]] = {}
        self.delay = 0.0
        self.polls = 0

    def answer(self, method: str, rest: str, jpy: bool) -> tuple[Any, int]:
        if (method, rest) in self.overrides:
            return self.overrides[(method, rest)]
        currency = "jpy" if jpy else "usd"
        if rest == "member":
            return example(
                "/proxy/member", "get", "200", "jpy_pending" if jpy else "usd_active"
            ), 200
        if rest == "strings":
            from plugin.storefront.theme_strings import PANEL_GROUPS, flat

            locale = request.args.get("locale", "en")
            return {"locale": locale, "strings": flat(locale, PANEL_GROUPS)}, 200
        if rest == "rewards":
            return example("/proxy/rewards", "get", "200", currency), 200
        if rest == "redemptions" and method == "POST":
            return example("/proxy/redemptions", "post", "202", "usd"), 202
        if rest == "redemptions":
            return {"redemptions": []}, 200
        if rest.startswith("redemptions/"):
            self.polls += 1  # pending once, then issued: the widget has to poll
            name = "usd_issued" if self.polls > 1 else "jpy_pending"
            return example("/proxy/redemptions/{id}", "get", "200", name), 200
        if rest == "referral":
            return example("/proxy/referral", "get", "200", currency), 200
        if rest == "birthday" and method == "PUT":
            return {
                **example("/proxy/birthday", "get", "200", "usd"),
                "birthday": request.get_json(),
                "can_change": False,
            }, 200
        if rest == "birthday":
            return example("/proxy/birthday", "get", "200", "usd"), 200
        if rest == "tier":
            return example("/proxy/tier", "get", "200", "usd"), 200
        if rest == "devices":
            return example("/proxy/devices", "get", "200", currency), 200
        if rest == "trade-in/quote":
            return example("/proxy/trade-in/quote", "post", "200", "usd"), 200
        if rest == "trade-ins" and method == "GET":
            return {"trade_ins": []}, 200
        if rest == "trade-ins":
            return example("/proxy/trade-ins", "post", "201", "usd"), 201
        if rest == "ctrl-f":
            return example("/proxy/ctrl-f", "get", "200", "usd"), 200
        if rest == "warranty-claims":
            return example("/proxy/warranty-claims", "post", "201", "usd"), 201
        if rest.endswith("/serial"):
            return example("/proxy/devices/{id}/serial", "post", "200", "usd") | {
                "serial": request.get_json()["serial"]
            }, 200
        return {"error": {"code": "not_found", "message": "No such thing."}}, 404


def build_app(api: FakeStorefrontApi) -> Flask:
    app = Flask(__name__)
    app.config.update(DEV_MODE=True, SHOPIFY_API_SECRET=SECRET)
    app.register_blueprint(dev_storefront)

    @app.route("/proxy/<path:rest>", methods=["GET", "POST", "PUT"])
    def proxy(rest: str) -> Any:
        verdict = verify_app_proxy_req(
            {
                "method": request.method,
                "headers": dict(request.headers),
                "url": request.url,
                "body": "",
            },
            {"client_id": "dev", "client_secret": SECRET, "old_client_secret": None},
        )
        if not verdict.ok:
            return jsonify(error={"code": "invalid_signature", "message": verdict.log.code}), 401
        api.calls.append((request.method, rest, request.get_json(silent=True)))
        time.sleep(api.delay)
        body, status = api.answer(request.method, rest, jpy=verdict.shop == "tesmart-jp")
        return jsonify(body), status

    return app


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, FakeStorefrontApi]]:
    patch = pytest.MonkeyPatch()
    patch.setattr(dev_shops, "list_dev_shops", lambda: [dict(s) for s in SHOPS])
    patch.setattr(dev_shops, "list_dev_customers", lambda domain, limit=50: [])
    api = FakeStorefrontApi()
    http = make_server("127.0.0.1", 0, build_app(api), threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}", api
    http.shutdown()
    patch.undo()


@pytest.fixture
def page(chromium: Any, server: tuple[str, FakeStorefrontApi]) -> Iterator[Any]:
    base, api = server
    api.reset()
    context = chromium.new_context(locale="en-US", timezone_id="UTC", base_url=base)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("console", lambda msg: page.errors.append(msg.text) if msg.type == "error" else None)
    yield page
    context.close()


def open_store(page: Any, shop: str = US, customer: str = "7012") -> None:
    page.goto(f"/dev/storefront?shop={shop}&customer={customer}")
    for kind in SECTION_KINDS:
        page.wait_for_selector(f'[data-tesmart="{kind}"]:not([aria-busy])')


def widget(page: Any, kind: str) -> Any:
    return page.locator(f'[data-tesmart="{kind}"]')


def test_every_widget_renders_in_usd_without_script_errors(page: Any) -> None:
    open_store(page)
    assert "Active" in widget(page, "member-status").inner_text()
    assert "2,300 points" in widget(page, "member-status").inner_text()
    assert "$5.00 off" in widget(page, "rewards").inner_text()
    assert "$10.00 off their first order" in widget(page, "referral").inner_text()
    assert "Extended warranty until Nov 15, 2028" in widget(page, "devices").inner_text()
    assert "VIP: 1.5× points on orders" in widget(page, "member-status").inner_text()
    assert "4,800 more points to reach VIP Plus." in widget(page, "member-status").inner_text()
    # The member's own terms, and each device's warranty end.
    card = widget(page, "member-status").inner_text()
    assert "Your terms" in card and "recovery value of 50% of the price you paid" in card
    assert "TESmart 4-port HDMI KVM switch: warranty until Nov 15, 2028" in card
    assert page.locator(".tesmart__skeleton").count() == 0
    assert page.errors == []


def test_money_numbers_and_dates_follow_the_japanese_store(page: Any) -> None:
    open_store(page, JP)
    rewards = widget(page, "rewards").inner_text()
    assert "800割引" in rewards and "2,400割引" in rewards
    assert ".00" not in rewards  # JPY has no minor unit
    assert "有効化待ち" in widget(page, "member-status").inner_text()
    assert "延長保証：2028/12/20まで" in widget(page, "devices").inner_text()
    assert "1,500" in widget(page, "referral").inner_text()


def test_redeeming_polls_until_the_code_is_issued_and_copies_it(
    page: Any, server: tuple[str, FakeStorefrontApi]
) -> None:
    _, api = server
    open_store(page)
    card = page.locator('[data-reward="2"]')
    card.get_by_role("button", name="Redeem").click()
    card.get_by_role("button", name="Yes, redeem").click()
    code = widget(page, "rewards").get_by_label("Discount code")
    code.wait_for()
    issued = example("/proxy/redemptions/{id}", "get", "200", "usd_issued")["code"]
    assert code.input_value() == issued
    assert ("POST", "redemptions", {"reward_id": 2}) in api.calls
    assert api.polls >= 2
    widget(page, "rewards").get_by_role("button", name="Copy").click()
    status = widget(page, "rewards").get_by_role("status")
    sync_api.expect(status).to_have_text("Copied to the clipboard.")
    assert page.evaluate("navigator.clipboard.readText()") == issued


def test_trade_in_estimate_then_application(
    page: Any, server: tuple[str, FakeStorefrontApi]
) -> None:
    _, api = server
    open_store(page)
    trade_in = widget(page, "trade-in")
    # Every question asked the same way round, all "yes" at first (a device in good order).
    for box in trade_in.locator("input[type=checkbox]").all():
        assert box.is_checked()
    trade_in.get_by_label("It has no visible wear or cosmetic defects").uncheck()
    trade_in.get_by_label("The original packaging is included and undamaged").uncheck()
    trade_in.get_by_role("button", name="Get an estimate").click()
    result = trade_in.locator(".tesmart__result")
    sync_api.expect(result).to_contain_text("Estimated value: $45.15")
    text = result.inner_text()
    assert "50% of the price you paid\n$64.50" in text and "Visible wear (20%)\n−$12.90" in text, (
        text
    )
    assert "No original packaging (10%)\n−$6.45" in text and "Your estimate\n$45.15" in text
    assert (
        "POST",
        "trade-in/quote",
        {
            "device_id": 204,
            "condition": {
                "cosmetic_wear": True,
                "accessories_complete": True,
                "original_packaging": False,
                "working": True,
            },
        },
    ) in api.calls
    assert page.evaluate("document.activeElement.className") == "tesmart__result"
    trade_in.get_by_role("button", name="Apply for this trade-in").click()
    sync_api.expect(trade_in).to_contain_text("Application received.")
    assert trade_in.inner_text().count("Application received.") == 1  # said once
    assert "email" not in trade_in.inner_text()  # no email is sent, so none is promised
    assert any(call[:2] == ("POST", "trade-ins") and call[2]["quote_id"] == 9 for call in api.calls)


def test_serial_registration_and_warranty_claim(
    page: Any, server: tuple[str, FakeStorefrontApi]
) -> None:
    _, api = server
    claimable = example("/proxy/devices", "get", "200", "usd")
    claimable["devices"][0].update(
        serial=None, warranty={"claim_available": True, "reason": "Extended warranty."}
    )
    api.overrides[("GET", "devices")] = (claimable, 200)
    open_store(page)
    devices = widget(page, "devices")
    devices.get_by_label("Serial number").fill("TES-NEW-0001")
    devices.get_by_role("button", name="Save serial number").click()
    sync_api.expect(devices).to_contain_text("Serial number: TES-NEW-0001")
    assert ("POST", "devices/204/serial", {"serial": "TES-NEW-0001"}) in api.calls

    api.overrides[("POST", "devices/204/serial")] = (claimable["devices"][0] | {"serial": "X"}, 200)
    page.reload()
    open_store(page)
    devices = widget(page, "devices")
    devices.get_by_role("button", name="Request a replacement").click()
    devices.get_by_label("What is wrong with the device?").fill("Port 3 no longer switches.")
    devices.get_by_label("Serial number").last.fill("TES-NEW-0002")  # required with the request
    devices.get_by_role("button", name="Send request").click()
    sync_api.expect(devices.get_by_role("status")).to_have_text(
        "Request sent. We'll reply within 24 hours. TESmart pays the return shipping."
    )
    assert (
        "POST",
        "warranty-claims",
        {
            "device_id": 204,
            "description": "Port 3 no longer switches.",
            "serial": "TES-NEW-0002",
            "uploads": [],
        },
    ) in api.calls


def test_launcher_dialog_works_from_the_keyboard(
    page: Any, server: tuple[str, FakeStorefrontApi]
) -> None:
    open_store(page)
    # The launcher is on every page: until it is opened, it carries no panel's strings.
    inline = page.evaluate(
        "document.querySelector('[data-tesmart=launcher] .tesmart__i18n').textContent"
    )
    assert "member.title" not in inline and "launcher.open" in inline
    assert ("GET", "strings", None) not in server[1].calls
    launcher = page.locator(".tesmart-launcher__button")
    launcher.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="TESmart Members")
    sync_api.expect(dialog).to_be_visible()
    sync_api.expect(launcher).to_have_attribute("aria-expanded", "true")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Close"
    sync_api.expect(dialog.locator(".tesmart--member-status")).to_contain_text("2,300 points")
    sync_api.expect(dialog.locator(".tesmart--member-status h3").first).to_have_text(
        "Your TESmart membership"
    )
    assert [c for c in server[1].calls if c[1] == "strings"] == [("GET", "strings", None)]

    for _ in range(2):  # from Close: Membership, then Rewards
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Rewards"
    page.keyboard.press("Enter")
    sync_api.expect(dialog.locator(".tesmart--rewards")).to_contain_text("$15.00 off")
    assert dialog.locator(".tesmart--member-status").is_hidden()

    page.keyboard.press("Escape")
    sync_api.expect(dialog).to_be_hidden()
    sync_api.expect(launcher).to_have_attribute("aria-expanded", "false")
    assert page.evaluate("document.activeElement.className") == "tesmart-launcher__button"


def test_api_errors_are_shown_in_the_widget(
    page: Any, server: tuple[str, FakeStorefrontApi]
) -> None:
    _, api = server
    api.overrides[("GET", "referral")] = (
        {"error": {"code": "id_not_active", "message": "Activate your TESmart ID first."}},
        403,
    )
    api.overrides[("GET", "devices")] = (
        {
            "error": {
                "code": "device_lookup_failed",
                "message": "Devices are unavailable right now.",
            }
        },
        409,
    )
    open_store(page)
    referral = widget(page, "referral")
    sync_api.expect(referral.get_by_role("alert")).to_have_text(
        "Activate your TESmart ID to use this benefit."
    )
    # One calm sentence of our own under the widget's heading, not the server's text.
    assert widget(page, "devices").get_by_role("heading", name="My devices & warranty").count() == 1
    sync_api.expect(widget(page, "devices").get_by_role("alert")).to_have_text(
        "This isn't available right now. Please try again in a moment."
    )
    del api.overrides[("GET", "referral")]
    referral.get_by_role("button", name="Try again").click()
    sync_api.expect(referral).to_contain_text("Your referral link")


def test_anonymous_visitor_gets_login_prompts_and_no_personal_calls(
    page: Any, server: tuple[str, FakeStorefrontApi]
) -> None:
    _, api = server
    api.overrides[("GET", "member")] = (example("/proxy/member", "get", "200", "anonymous"), 200)
    open_store(page, customer="")
    member = widget(page, "member-status")
    assert "Ways to earn points" in member.inner_text()
    assert (
        member.get_by_role("link", name="Log in").get_attribute("href") == "#tesmart-dev-customer"
    )
    assert "Log in to redeem your points." in widget(page, "rewards").inner_text()
    asked = {rest for _, rest, _ in api.calls}
    assert asked <= {"member", "rewards"}


def test_api_text_is_inserted_as_text(page: Any, server: tuple[str, FakeStorefrontApi]) -> None:
    _, api = server
    rewards = example("/proxy/rewards", "get", "200", "usd")
    rewards["rewards"][0]["title"] = '<img src=x onerror="window.pwned=1">'
    api.overrides[("GET", "rewards")] = (rewards, 200)
    open_store(page)
    assert '<img src=x onerror="window.pwned=1">' in widget(page, "rewards").inner_text()
    assert widget(page, "rewards").locator("img").count() == 0
    assert page.evaluate("window.pwned") is None


def test_widgets_reserve_no_height_and_appear_top_down(
    page: Any, server: tuple[str, FakeStorefrontApi]
) -> None:
    """No empty reserved heights: while data loads, the first widget shows its skeleton and the
    ones below wait, so no widget is pushed down by another one's content."""
    _, api = server
    api.delay = 5.0  # long enough for a loaded machine to look before any answer
    page.goto(f"/dev/storefront?shop={US}&customer=7012", wait_until="domcontentloaded")
    page.wait_for_function("window.TESmartMembers")
    first, *rest = SECTION_KINDS
    box = widget(page, first)
    assert box.get_attribute("aria-busy") == "true" and box.is_visible()
    assert box.locator(".tesmart__skeleton").count() == 1
    assert box.bounding_box()["height"] < 200  # the skeleton's own height, nothing reserved
    for kind in rest:
        assert not widget(page, kind).is_visible(), kind


def test_the_member_enters_a_birthday_in_the_member_widget(page: Any, server: Any) -> None:
    _, api = server
    api.overrides[("GET", "birthday")] = (
        {
            "enabled": True,
            "points": 200,
            "birthday": None,
            "can_change": True,
            "next_change_on": None,
            "rewarded_this_year": False,
        },
        200,
    )
    open_store(page)
    member = widget(page, "member-status")
    assert "get 200 points every year in your birthday month" in member.inner_text()
    member.get_by_label("Month").fill("4")
    member.get_by_label("Day").fill("12")
    member.get_by_role("button", name="Save birthday").click()
    member.get_by_text("Your birthday: April 12").wait_for()
    assert ("PUT", "birthday", {"month": 4, "day": 12}) in api.calls
    assert "can change it again from" in member.inner_text()
    assert page.errors == []
