"""The admin in headless Chromium, through the dev entry, with Shopify's CDN unreachable.

Every request that leaves the loopback address is aborted, so App Bridge and Polaris never load:
the walk proves the pages are usable as plain HTML. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import case, func, insert, select, update

from plugin.extensions import db
from plugin.models import AuditLog, PointEntry, TradeIn, Wallet
from plugin.models.types import utcnow
from plugin.program.money import quantize
from tests.admin import factories

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LEDGER_ROWS = 10_000


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"admin-{name}.png"), full_page=True)


def _ledger_truth(shop_id: int) -> dict[str, int]:
    """The dashboard's figures, computed here straight from the ledger table."""
    kind = PointEntry.kind
    redeemed = kind.like("redemption%")
    expired = kind.like("expir%")
    other = ~redeemed & ~expired
    row = db.session.execute(
        select(
            func.coalesce(
                func.sum(case((other & (PointEntry.delta > 0), PointEntry.delta), else_=0)), 0
            ),
            func.coalesce(func.sum(case((redeemed, -PointEntry.delta), else_=0)), 0),
            func.coalesce(func.sum(case((expired, -PointEntry.delta), else_=0)), 0),
            func.coalesce(func.sum(PointEntry.delta), 0),
        ).where(PointEntry.shop_id == shop_id)
    ).one()
    return dict(
        zip(
            ("Points issued", "Points redeemed", "Points expired", "Points outstanding"),
            map(int, row),
            strict=True,
        )
    )


def _number(text: str) -> int:
    return int(text.replace(",", "").strip())


def test_the_merchant_walks_the_admin(
    server: str, browser_page: Any, shops: Any, fake_admin: Any
) -> None:
    page, blocked = browser_page
    us = shops["us"]
    jane = factories.member(
        us, "jane@example.com", first="Jane", last="Roe", activated=factories.at("2025-06-01")
    )
    factories.points(us, jane, 2000, key="order:1001")
    factories.points(us, jane, -500, kind="redemption", key="redemption:1:debit")
    factories.points(us, jane, -100, kind="expiry", key="expiry:1")
    bulk = factories.member(us, "bulk@example.com", activated=factories.at("2026-01-02"))
    now = utcnow()
    db.session.execute(
        insert(PointEntry),
        [
            {
                "shop_id": us.id,
                "member_id": bulk.id,
                "delta": 3,
                "kind": "order",
                "cause_key": f"bulk:{i}",
                "created_at": now,
            }
            for i in range(LEDGER_ROWS - 3)
        ],
    )
    # The wallet holds the sum of the member's entries, as the ledger keeps it.
    db.session.execute(
        update(Wallet)
        .where(Wallet.shop_id == us.id, Wallet.member_id == bulk.id)
        .values(balance=3 * (LEDGER_ROWS - 3))
    )
    db.session.commit()
    fake_admin.add_customer(
        us.domain, email="jane@example.com", customer_id=int(factories.customer_id_of(us, jane))
    )
    trade_in = factories.trade_in(us, jane, value="45.00")

    # The dev entry mints a session token and opens the dashboard.
    page.goto(f"{server}/dev/admin?shop={us.domain}&user=1")
    assert page.locator("h1.page-title").inner_text().startswith("Dashboard")
    truth = _ledger_truth(us.id)
    for label, expected in truth.items():
        assert _number(page.locator(f'[data-stat="{label}"]').inner_text()) == expected, label
    # Jane 1,400 and the bulk member 29,991 points, at the catalogue's best rate ($15 per 1,000).
    liability = quantize(Decimal(1400 + 3 * (LEDGER_ROWS - 3)) * Decimal("0.015"), "USD")
    assert (
        page.locator('[data-stat="Outstanding liability"]').inner_text() == f"{liability:,.2f} USD"
    )
    _shot(page, "dashboard")

    # A manual adjustment appears in the member's ledger and in the audit log.
    page.click("nav.app-nav >> text=Members")
    page.fill("#q", "roe")
    page.click("form[role=search] button")
    page.click("text=jane@example.com")
    page.fill("#f-points", "250")
    page.fill("#f-reason", "Goodwill for a late parcel")
    page.click("#adjust-form button[type=submit]")
    page.wait_for_selector("text=Points adjusted")
    ledger_table = page.locator("table[aria-label=Ledger]")
    assert "Goodwill for a late parcel" in ledger_table.inner_text()
    assert "+250" in ledger_table.inner_text()
    _shot(page, "member")
    page.click("nav.app-nav >> text=Audit log")
    audit_text = page.locator("table[aria-label='Audit log']").inner_text()
    assert "Adjusted points" in audit_text and "Goodwill for a late parcel" in audit_text
    assert (
        "points.adjust" not in audit_text and "Balance: 1,400 → 1,650" in audit_text
    )  # words, not JSON
    assert db.session.query(AuditLog).filter_by(action="points.adjust", shop_id=us.id).count() == 1

    # A trade-in goes from applied to paid.
    page.click("nav.app-nav >> text=Trade-ins")
    page.click(f"text=#{trade_in.id}")
    page.click("#approve-form button")
    page.wait_for_selector("#ship-form")
    page.fill("#ship-tracking", "1Z999AA10123456784")
    page.click("#ship-form button")
    page.wait_for_selector("#pay-form")
    page.select_option("#pay-method", "store_credit")
    assert "45.00 USD" in page.locator("#pay-form").inner_text()  # the amount, before it is sent
    page.click("#pay-form button")
    assert (
        "45.00 USD" in page.locator("[data-confirm-step]").inner_text()
    )  # and once more, to confirm
    page.click("#confirm-button")
    page.wait_for_selector("#receive-form")
    assert "Paid" in page.locator('[data-field="state"]').inner_text()
    _shot(page, "trade-in")
    db.session.expire_all()
    assert db.session.get(TradeIn, trade_in.id).state == "paid"

    # A CSV export of 10,000 ledger rows downloads complete.
    page.click("nav.app-nav >> text=Export & import")
    with page.expect_download() as download_info:
        page.click("#export-ledger")
    path = download_info.value.path()
    rows = list(csv.DictReader(io.StringIO(Path(path).read_text(encoding="utf-8"))))
    expected_rows = db.session.query(PointEntry).filter_by(shop_id=us.id).count()
    assert len(rows) == expected_rows >= LEDGER_ROWS
    assert sum(int(r["delta"]) for r in rows) == _ledger_truth(us.id)["Points outstanding"]

    # Shopify's CDN was asked for and never reached.
    assert any("cdn.shopify.com" in url for url in blocked)
