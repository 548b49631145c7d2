"""Inside Shopify the form controls are Polaris's: with Polaris's elements defined (stand-ins here,
Shopify's CDN being out of reach), the plain twins leave the form and the Polaris fields post it."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import pytest

from plugin.extensions import db
from plugin.models import Shop

pytestmark = pytest.mark.browser

# Minimal form-associated stand-ins for Polaris's elements: a field posts its value under its name,
# a submit button submits its form.
POLARIS_STAND_INS = """
(() => {
  class Field extends HTMLElement {
    static formAssociated = true;
    constructor() { super(); this._internals = this.attachInternals(); }
    connectedCallback() { this._sync(); }
    get value() { return this.getAttribute("value") || ""; }
    set value(v) { this.setAttribute("value", v); this._sync(); }
    _sync() {
      if (this.localName === "s-checkbox") {
        this._internals.setFormValue(this.hasAttribute("checked") ? "1" : null); return;
      }
      if (this.localName === "s-select") {
        const chosen = this.querySelector("s-option[selected]") || this.querySelector("s-option");
        this._internals.setFormValue(chosen ? chosen.getAttribute("value") : ""); return;
      }
      this._internals.setFormValue(this.value);
    }
  }
  for (const tag of ["s-text-field", "s-number-field", "s-date-field", "s-email-field",
                     "s-search-field", "s-text-area", "s-select", "s-checkbox"]) {
    customElements.define(tag, class extends Field {});
  }
  for (const tag of ["s-table", "s-table-header-row", "s-table-header", "s-table-body",
                     "s-table-row", "s-table-cell"]) {
    customElements.define(tag, class extends HTMLElement {});
  }
  customElements.define("s-button", class extends HTMLElement {
    connectedCallback() {
      this.addEventListener("click", () => {
        const form = this.closest("form");
        if (form && this.getAttribute("type") === "submit") { form.requestSubmit(); }
      });
    }
  });
})();
"""


def test_with_polaris_the_polaris_fields_post_and_the_plain_twins_do_not(
    server: str, browser_page: Any, shops: Any
) -> None:
    page, _blocked = browser_page
    us = shops["us"]
    page.add_init_script(POLARIS_STAND_INS)
    page.goto(f"{server}/dev/admin?shop={us.domain}&user=1")
    page.goto(f"{server}/admin/settings?shop={us.domain}")
    assert "polaris-ready" in (page.locator("html").get_attribute("class") or "")
    assert page.locator(
        "#f-referral_monthly_cap"
    ).is_disabled()  # the plain twin is out of the form
    assert not page.locator("#f-referral_monthly_cap").is_visible()
    page.evaluate(
        "document.querySelector('#settings-program "
        "s-number-field[name=referral_monthly_cap]').value = '9'"
    )
    with page.expect_request(lambda r: r.method == "POST" and "/admin/settings" in r.url) as posted:
        page.click("#settings-program s-button[type=submit]")
    form = parse_qs(posted.value.post_data or "")
    assert form["referral_monthly_cap"] == ["9"]  # once: the Polaris field's, not its twin's too
    page.wait_for_selector("p.notice")
    db.session.expire_all()
    assert db.session.get(Shop, us.id).settings["referral_monthly_cap"] == 9


def test_with_polaris_tables_are_polaris_tables_with_the_same_cells(
    server: str, browser_page: Any, shops: Any
) -> None:
    from tests.admin import factories

    page, _blocked = browser_page
    us = shops["us"]
    factories.member(us, "jane@example.com", activated=factories.at("2026-01-01"))
    page.add_init_script(POLARIS_STAND_INS)
    page.goto(f"{server}/dev/admin?shop={us.domain}&user=1")
    page.goto(f"{server}/admin/members?shop={us.domain}")
    assert page.locator("table[data-polaris-table]").count() == 0
    assert page.locator("s-table s-table-header").first.inner_text() == "Member"
    page.click("s-table s-table-cell >> text=jane@example.com")  # the cell's link still works
    assert page.locator("h1.page-title").inner_text().startswith("jane@example.com")
