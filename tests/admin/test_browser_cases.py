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


def test_a_returns_photos_and_proof_are_visible_on_its_page(server: str, browser_page: Any, shops: Any) -> None:
    page, _blocked = browser_page
    request, _device = _return(shops)
    page.route("**/uploads/**", lambda route: route.fulfill(status=200, content_type="image/png", body=PNG)
               if route.request.url.endswith(".jpg") else route.fulfill(status=200, content_type="application/pdf", body=b"%PDF-1.4"))
    page.goto(f"{server}/dev/admin?shop={shops['us'].domain}&user=1")
    page.click("nav.app-nav >> text=Returns & warranty")
    page.click(f"a[href*='/admin/returns/{request.id}?']")
    photo = page.locator("ul[aria-label='Photos and video'] img")
    photo.wait_for()
    assert photo.is_visible()
    assert page.evaluate("img => img.complete && img.naturalWidth", photo.element_handle()) == 2  # it loaded
    assert page.locator("ul[aria-label='Photos and video'] video").count() == 1
    proof = page.locator("ul[aria-label='Proof of purchase'] a")
    assert proof.is_visible() and proof.get_attribute("href") == "/uploads/returns/1/invoice.pdf"
    assert "The HDMI port 3 flickers." in page.locator("[data-field=description]").inner_text()
    assert "Refund" in page.locator("[data-field=verdict]").inner_text()
