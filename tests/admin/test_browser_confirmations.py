"""As the merchant in headless Chromium (Shopify's CDN unreachable, so the server's confirmation
step stands in for Polaris's modal): money is bounded and destructive actions ask first."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from plugin import ledger
from plugin.extensions import db
from plugin.models import Campaign, Device, Reward, TradeIn, WarrantyClaim
from plugin.models.types import utcnow
from tests.admin import factories

pytestmark = pytest.mark.browser


def _open(page: Any, server: str, shop: str, path: str) -> None:
    page.goto(f"{server}/dev/admin?shop={shop}&user=1")
    page.goto(f"{server}{path}?shop={shop}")


def test_money_is_bounded_and_endings_are_confirmed(
    server: str, browser_page: Any, shops: Any, fake_admin: Any
) -> None:
    page, _blocked = browser_page
    us = shops["us"]
    jane = factories.member(us, "jane@example.com", activated=factories.at("2026-01-01"))
    factories.points(us, jane, 3050)
    trade_in = factories.trade_in(us, jane, value="209.65")
    device = db.session.get(Device, trade_in.device_id)
    device.amount_paid = Decimal("599.00")
    now = utcnow()
    campaign = Campaign(
        shop_id=us.id,
        title="Double points",
        kind="points_multiplier",
        multiplier=Decimal("2"),
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=5),
    )
    reward = Reward(
        shop_id=us.id, title="5 USD off", points=500, kind="fixed_amount", amount=Decimal("5")
    )
    db.session.add_all([campaign, reward])
    db.session.commit()

    # An approval above the quote without a reason is refused; with one it asks a second time;
    # confirmed, it still cannot exceed the price paid.
    _open(page, server, us.domain, f"/admin/trade-ins/{trade_in.id}")
    page.fill("#approve-value", "400")
    page.click("#approve-form button[type=submit]")
    assert "209.65 USD" in page.locator("p.error").inner_text()
    page.fill("#approve-value", "400")
    page.fill("#approve-reason", "Mint condition")
    page.click("#approve-form button[type=submit]")
    assert "209.65 USD" in page.locator("[data-confirm-step]").inner_text()
    db.session.expire_all()
    assert (
        db.session.get(TradeIn, trade_in.id).state == "applied"
    )  # not without the second confirmation
    page.click("#confirm-cancel")
    page.fill("#approve-value", "9999")  # the typo of trade-in #8: never more than the price paid
    page.fill("#approve-reason", "Mint condition")
    page.click("#approve-form button[type=submit]")
    assert "599.00 USD" in page.locator("p.error").inner_text()
    page.fill("#approve-value", "599.00")
    page.fill("#approve-reason", "Mint condition")
    page.click("#approve-form button[type=submit]")
    page.click("#confirm-button")
    page.wait_for_selector("#ship-form")
    db.session.expire_all()
    assert db.session.get(TradeIn, trade_in.id).value == Decimal("599.00")

    # A -100000 adjustment shows the balance it leaves and waits for confirmation.
    _open(page, server, us.domain, f"/admin/members/{jane.id}")
    assert page.locator('[data-field="balance"]').inner_text() == "3,050"
    page.fill("#f-points", "-100000")
    page.fill("#f-reason", "Typo test")
    assert page.locator("#adjust-after").inner_text() == "-96,950"  # as it is typed
    page.click("#adjust-form button[type=submit]")
    step = page.locator("[data-confirm-step]").inner_text()
    assert "3,050" in step and "-96,950" in step.replace("−", "-")
    assert ledger.balance(us.id, jane.id) == 3050
    page.click("#confirm-button")
    banner = page.locator("p.notice").inner_text()
    assert "100,000" in banner and "-96,950" in banner.replace("−", "-")

    # Each destructive action opens a confirmation that says what will happen.
    _open(page, server, us.domain, "/admin/campaigns")
    page.click("form[data-confirm] button[type=submit]")
    assert "ends now" in page.locator("[data-confirm-step]").inner_text()
    page.click("#confirm-cancel")
    _open(page, server, us.domain, "/admin/rewards")
    page.click("button[value=archive]")
    assert "stay valid" in page.locator("[data-confirm-step]").inner_text()
    page.click("#confirm-cancel")
    db.session.expire_all()
    assert (
        db.session.get(Campaign, campaign.id).ends_at > utcnow()
        and db.session.get(Reward, reward.id).active
    )

    _open(page, server, us.domain, f"/admin/members/{jane.id}")
    page.fill("#end-reason", "Asked by email")
    page.click("#end-form button[type=submit]")
    assert "forfeited" in page.locator("[data-confirm-step]").inner_text()
    page.click("#confirm-button")
    page.wait_for_selector("text=Membership cancelled")
    assert db.session.query(WarrantyClaim).count() == 0
