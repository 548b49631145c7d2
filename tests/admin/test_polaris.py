"""The admin is built from Polaris web components, each control with a plain-HTML twin: inside
Shopify the pages use the components; without Shopify's CDN (the local demo, tests) the plain
twins post the same forms."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser
from typing import Any

import pytest

from tests.admin.test_no_raw_internals import _seed

PLAIN = ("input", "select", "textarea", "button")


class Controls(HTMLParser):
    """Plain controls outside a plain twin, Polaris controls, and the twins' names, per form."""

    def __init__(self) -> None:
        super().__init__()
        self.plain: Counter[str] = Counter()
        self.polaris: list[tuple[int, str, str]] = []  # (form, tag, name)
        self.twins: set[tuple[int, str]] = set()  # (form, name)
        self.save_bar_forms: list[str] = []
        self._form = 0
        self._twin_depth: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        found = dict(attrs)
        if tag == "form":
            self._form += 1
            if "data-save-bar" in found:
                self.save_bar_forms.append(found.get("id") or "")
        is_twin = "data-plain" in found
        inside_twin = bool(self._twin_depth) or is_twin
        if tag in PLAIN and found.get("type") != "hidden":
            if inside_twin:
                if found.get("name"):
                    self.twins.add((self._form, found["name"]))
            else:
                self.plain[tag] += 1
        if tag.startswith("s-") and "data-polaris" in found and found.get("name"):
            self.polaris.append((self._form, tag, found["name"]))
        if (
            is_twin
            and tag not in ("input", "button")
            or self._twin_depth
            and tag == self._twin_depth[-1]
        ):
            self._twin_depth.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._twin_depth and self._twin_depth[-1] == tag:
            self._twin_depth.pop()


def _controls(html: str) -> Controls:
    parser = Controls()
    parser.feed(html)
    return parser


# Pages whose forms are wholly Polaris (the settings and creation forms).
POLARIS_PAGES = ["/admin/settings", "/admin/emails", "/admin/ctrl-f", "/admin/campaigns"]


@pytest.mark.parametrize("path", POLARIS_PAGES)
def test_inside_shopify_the_forms_are_polaris_components(
    path: str, shops: Any, admin_get: Any
) -> None:
    html = admin_get(path).get_data(as_text=True)
    found = _controls(html)
    assert found.polaris, "no Polaris control"
    assert sum(found.plain.values()) == 0, found.plain


@pytest.mark.parametrize("path", POLARIS_PAGES)
def test_every_polaris_control_has_a_plain_twin_that_posts_the_same_name(
    path: str, shops: Any, admin_get: Any
) -> None:
    found = _controls(admin_get(path).get_data(as_text=True))
    missing = [(tag, name) for form, tag, name in found.polaris if (form, name) not in found.twins]
    assert missing == []


def test_settings_forms_use_the_contextual_save_bar(shops: Any, admin_get: Any) -> None:
    found = _controls(admin_get("/admin/settings").get_data(as_text=True))
    assert set(found.save_bar_forms) >= {
        "settings-earning",
        "settings-program",
        "settings-loyalty",
        "settings-cohorts",
        "settings-trade-in",
        "settings-categories",
    }
    assert _controls(admin_get("/admin/emails").get_data(as_text=True)).save_bar_forms == [
        "emails-form"
    ]


def test_the_plain_twins_still_save_settings(shops: Any, admin_post: Any, admin_get: Any) -> None:
    """What the plain form posts (the dev demo, no CDN) is saved as before."""
    html = admin_get("/admin/settings").get_data(as_text=True)
    assert 'name="referral_monthly_cap"' in html and 'id="f-referral_monthly_cap"' in html
    response = admin_post(
        "/admin/settings",
        {
            "section": "program",
            "referral_monthly_cap": "7",
            "return_window_days": "30",
            "adjustment_confirm_threshold": "5000",
        },
    )
    assert response.status_code in (200, 303)
    assert 'value="7"' in admin_get("/admin/settings").get_data(as_text=True)


def test_plain_controls_left_per_page(shops: Any, admin_get: Any, fake_admin: Any) -> None:
    """The count of plain controls still outside a Polaris twin, page by page (row actions and
    table forms); it may only go down."""
    ids = _seed(shops, fake_admin)
    pages = {
        "/admin/members": 2,
        f"/admin/members/{ids['member']}": 0,
        f"/admin/trade-ins/{ids['trade_in']}": 0,
        "/admin/returns": 1,
        "/admin/rewards": 13,
        "/admin/staff": 3,
        "/admin/data": 1,
        "/admin/tiers": 3,
    }
    counts = {
        path: sum(_controls(admin_get(path).get_data(as_text=True)).plain.values())
        for path in pages
    }
    assert all(counts[path] <= limit for path, limit in pages.items()), counts
