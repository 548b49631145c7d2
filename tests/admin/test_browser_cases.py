"""As the merchant in headless Chromium: a return's photos and proof are on its page."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tests.admin.test_case_pages import _return

pytestmark = pytest.mark.browser

# A 2x2 PNG, served where the shopper's uploads live.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg=="
)


def test_a_returns_photos_and_proof_are_visible_on_its_page(
    server: str, browser_page: Any, shops: Any
) -> None:
    page, _blocked = browser_page
    request, _device = _return(shops)
    page.route(
        "**/uploads/**",
        lambda route: (
            route.fulfill(status=200, content_type="image/png", body=PNG)
            if route.request.url.endswith(".jpg")
            else route.fulfill(status=200, content_type="application/pdf", body=b"%PDF-1.4")
        ),
    )
    page.goto(f"{server}/dev/admin?shop={shops['us'].domain}&user=1")
    page.click("nav.app-nav >> text=Returns & warranty")
    page.click(f"a[href*='/admin/returns/{request.id}?']")
    photo = page.locator("ul[aria-label='Photos and video'] img")
    photo.wait_for()
    assert photo.is_visible()
    assert (
        page.evaluate("img => img.complete && img.naturalWidth", photo.element_handle()) == 2
    )  # it loaded
    assert page.locator("ul[aria-label='Photos and video'] video").count() == 1
    proof = page.locator("ul[aria-label='Proof of purchase'] a")
    assert proof.is_visible() and proof.get_attribute("href") == "/uploads/returns/1/invoice.pdf"
    assert "The HDMI port 3 flickers." in page.locator("[data-field=description]").inner_text()
    assert "Refund" in page.locator("[data-field=verdict]").inner_text()


def test_a_ctrl_f_program_is_created_and_an_applicant_selected_with_the_code_shown(
    server: str, browser_page: Any, shops: Any, fake_admin: Any
) -> None:
    from datetime import timedelta

    from plugin import clock
    from plugin.extensions import db
    from plugin.models import CtrlFApplication, CtrlFProgram, Redemption
    from tests.admin import factories

    page, _blocked = browser_page
    us = shops["us"]
    tester = factories.member(us, "tester@example.com", activated=factories.at("2026-01-01"))
    customer = factories.customer_id_of(us, tester)
    fake_admin.add_customer(us.domain, email="tester@example.com", customer_id=int(customer))
    today = clock.today(clock.zone(us.timezone, us.region))
    page.goto(f"{server}/dev/admin?shop={us.domain}&user=1")
    page.click("nav.app-nav >> text=CTRL F")
    page.fill("#f-title", "KVM 8 beta")
    page.fill("#f-product_title", "TESmart KVM 8")
    page.fill("#f-discount_percent", "40")
    page.fill("#f-seats", "2")
    page.fill("#f-applications_close_on", (today + timedelta(days=10)).isoformat())
    page.fill("#f-feedback_due_on", (today + timedelta(days=40)).isoformat())
    page.click("#program-create button[type=submit]")
    page.wait_for_selector("text=Created.")
    assert "40%" in page.locator("[data-field=discount]").inner_text()
    program = db.session.query(CtrlFProgram).one()
    db.session.add(
        CtrlFApplication(
            shop_id=us.id,
            program_id=program.id,
            member_id=tester.id,
            customer_id=customer,
            setup="Two PCs and a Mac mini",
        )
    )
    db.session.commit()
    page.reload()
    row = page.locator("tr[data-application]")
    assert "Two PCs and a Mac mini" in row.inner_text()
    row.get_by_role("button", name="Select", exact=True).click()
    page.wait_for_selector("text=is selected")
    # The code is made by a job right after the selection commits: the page says so until it exists.
    for _attempt in range(20):
        db.session.expire_all()
        code = (
            db.session.query(Redemption).filter_by(purpose="ctrl_f").one().code
        )  # one code, made once
        if code and code in page.locator("p.notice").inner_text():
            break
        page.wait_for_timeout(250)
        page.reload()
    assert code and code in page.locator("p.notice").inner_text()
    assert code in page.locator("tr[data-application] [data-field=code]").inner_text()


def test_a_german_operator_sees_the_admin_in_german(
    server: str, browser_page: Any, shops: Any
) -> None:
    from tests.admin import factories

    page, _blocked = browser_page
    eu = shops["eu"]
    jane = factories.member(eu, "jane@example.com", activated=factories.at("2026-01-01"))
    factories.points(eu, jane, 1400)
    page.goto(f"{server}/dev/admin?shop={eu.domain}&user=1")
    page.goto(f"{server}/admin/?shop={eu.domain}&locale=de")
    assert page.locator("h1.page-title").inner_text().startswith("Übersicht")
    assert page.locator("html").get_attribute("lang") == "de"
    assert (
        "Vergebene Punkte" in page.locator(".stats").first.inner_text()
        or "Mitglieder" in page.content()
    )
    page.click("nav.app-nav >> text=Mitglieder")
    assert page.locator("h1.page-title").inner_text().startswith("Mitglieder")  # the language stays
    assert "1.400" in page.locator("table[aria-label=Mitglieder]").inner_text()
    # a settings form posts in German (the plain twins: Shopify's CDN is out of reach here) and the
    # page after it stays German
    page.click("nav.app-nav >> text=Einstellungen")
    page.fill("#f-referral_monthly_cap", "7")
    page.click("#settings-program button[type=submit]")
    assert "Gespeichert." in page.locator("p.notice").inner_text()
    assert page.locator("html").get_attribute("lang") == "de"
    # another store's record, or no such page: the admin's own page, in German
    page.goto(f"{server}/admin/members/999999?shop={eu.domain}&locale=de")
    assert page.locator("h1.page-title").inner_text().startswith("Nicht gefunden")
    assert "Zurück zur Übersicht" in page.content()


@pytest.mark.parametrize(
    ("locale", "dashboard", "members"),
    [("ja", "ダッシュボード", "会員"), ("ko", "대시보드", "회원")],
)
def test_a_japanese_or_korean_operator_sees_the_admin_in_their_language(
    server: str, browser_page: Any, shops: Any, locale: str, dashboard: str, members: str
) -> None:
    page, _blocked = browser_page
    store = shops["jp" if locale == "ja" else "kr"]
    page.goto(f"{server}/dev/admin?shop={store.domain}&user=1")
    page.goto(f"{server}/admin/?shop={store.domain}&locale={locale}")
    assert page.locator("h1.page-title").inner_text().startswith(dashboard)
    assert page.locator("html").get_attribute("lang") == locale
    page.click(f"nav.app-nav >> text={members}")
    assert page.locator("h1.page-title").inner_text().startswith(members)
