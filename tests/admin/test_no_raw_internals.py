"""No admin page shows a raw cause key, a state or kind name from the code, audit JSON or a
POLICY.md reference: every page is rendered with data of every kind and its visible text scanned."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

from plugin.benefits import tradeins
from plugin.extensions import db
from plugin.models import (
    Campaign,
    CtrlFApplication,
    CtrlFProgram,
    Device,
    Referral,
    Reward,
    WarrantyClaim,
)
from plugin.models.types import utcnow
from plugin.points import adjustments
from tests.admin import factories
from tests.admin.test_case_pages import _return

CAUSE_KEY = re.compile(
    r"\b(order|adjustment|redemption|expiry|forfeit|membership|signup|newsletter|referral|import|trade_in|ctrlf)[:][\w-]+"
)
CODE_NAME = re.compile(
    r"\b[a-z]+(?:_[a-z0-9]+)+\b"
)  # snake_case: a name from the code, never a word
JSON_BLOB = re.compile(r'\{"[a-z_]+":')


class VisibleText(HTMLParser):
    """The text a person reads: text nodes outside script and style (attributes are not read).

    A form field's own value (a textarea) and syntax the merchant must type exactly (marked
    ``data-syntax``: the CSV columns of an import, the category mapping's words) are not prose."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0
        self._stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style", "textarea") or any(
            name == "data-syntax" for name, _v in attrs
        ):
            self._skip += 1
            self._stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._stack and self._stack[-1] == tag:
            self._stack.pop()
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def visible(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return "\n".join(parser.parts)


def _seed(shops: Any, fake_admin: Any) -> dict[str, Any]:
    us = shops["us"]
    request, device = _return(shops)
    jane_id = request.member_id
    from plugin.models import Member

    jane = db.session.get(Member, jane_id)
    factories.points(us, jane, 900, key="order:1001")
    factories.points(us, jane, -100, kind="order_clawback", key="order:1001:refund")
    factories.points(us, jane, -50, kind="expiry", key="expiry:2026")
    adjustments.adjust_points(us, jane, delta=25, reason="Goodwill", actor="staff:42")
    friend = factories.member(us, "friend@example.com", first="Fritz", last="Freund")
    db.session.add(
        Referral(
            shop_id=us.id,
            referrer_member_id=jane.id,
            friend_customer_id=factories.customer_id_of(us, friend),
            state="refused",
            refusal_reason="friend_already_ordered",
        )
    )
    claim = WarrantyClaim(
        shop_id=us.id,
        member_id=jane.id,
        device_id=device.id,
        state="open",
        outcome="replacement",
        return_shipping_paid_by="tesmart",
        description="No picture",
    )
    now = utcnow()
    program = CtrlFProgram(
        shop_id=us.id,
        title="KVM beta",
        product_title="KVM 8",
        seats=2,
        discount_percent=None,
        applications_close_on=now.date() + timedelta(days=3),
        feedback_due_on=now.date() + timedelta(days=30),
    )
    db.session.add_all(
        [
            claim,
            program,
            Campaign(
                shop_id=us.id,
                title="Double",
                kind="points_multiplier",
                multiplier=Decimal("2"),
                starts_at=now - timedelta(days=1),
                ends_at=now + timedelta(days=2),
            ),
            Campaign(
                shop_id=us.id,
                title="Gift",
                kind="gift",
                gift_product_id="777",
                min_subtotal=Decimal("100"),
                starts_at=now + timedelta(days=1),
                ends_at=now + timedelta(days=2),
            ),
            Reward(
                shop_id=us.id,
                title="5 USD off",
                points=500,
                kind="fixed_amount",
                amount=Decimal("5"),
            ),
        ]
    )
    db.session.flush()
    db.session.add(
        CtrlFApplication(
            shop_id=us.id,
            program_id=program.id,
            member_id=jane.id,
            customer_id=factories.customer_id_of(us, jane),
            setup="Two PCs",
        )
    )
    db.session.commit()
    trade_in = factories.trade_in(us, jane, value="45.00")
    tradeins.approve(us, trade_in.id, "staff:42")
    fake_admin.add_customer(
        us.domain, email="jane@example.com", customer_id=int(factories.customer_id_of(us, jane))
    )
    assert db.session.get(Device, device.id) is not None
    return {
        "member": jane.id,
        "trade_in": trade_in.id,
        "return": request.id,
        "claim": claim.id,
        "program": program.id,
    }


def test_no_page_shows_a_raw_internal(
    shops: Any, admin_get: Any, admin_post: Any, fake_admin: Any
) -> None:
    ids = _seed(shops, fake_admin)
    admin_post(
        "/admin/settings",
        {"section": "program", "referral_monthly_cap": "5", "return_window_days": "30"},
    )
    pages = [
        "/admin/",
        "/admin/members",
        f"/admin/members/{ids['member']}",
        "/admin/trade-ins",
        "/admin/trade-ins?state=all",
        f"/admin/trade-ins/{ids['trade_in']}",
        "/admin/returns",
        f"/admin/returns/{ids['return']}",
        f"/admin/warranty-claims/{ids['claim']}",
        "/admin/ctrl-f",
        f"/admin/ctrl-f/{ids['program']}",
        "/admin/settings",
        "/admin/rewards",
        "/admin/campaigns",
        "/admin/data",
        "/admin/audit",
        "/admin/staff",
        "/admin/emails",
        "/admin/emails/points_expiring/preview",
        "/admin/tiers",
        "/admin/members/999999",
        "/admin/no-such-page",
    ]
    problems: list[str] = []
    for path in pages:
        base, _sep, query = path.partition("?")
        params = dict(p.split("=") for p in query.split("&")) if query else {}
        response = admin_get(base, **params)
        assert response.status_code == (404 if "999999" in path or "no-such" in path else 200), path
        text = visible(response.get_data(as_text=True))
        for pattern, what in (
            (CAUSE_KEY, "cause key"),
            (CODE_NAME, "name from the code"),
            (JSON_BLOB, "JSON"),
        ):
            problems += [f"{path}: {what} {m.group(0)!r}" for m in pattern.finditer(text)]
        if "POLICY.md" in text:
            problems.append(f"{path}: a POLICY.md reference")
    assert problems == [], "\n".join(problems)


def test_a_gift_campaign_never_asks_for_a_raw_product_id(
    shops: Any, admin_get: Any, admin_post: Any
) -> None:
    """The gift is chosen with Shopify's resource picker; the page and its errors never ask for an
    id."""
    page = admin_get("/admin/campaigns").get_data(as_text=True)
    assert 'data-resource-picker="product"' in page
    refused = admin_post(
        "/admin/campaigns", {"kind": "gift", "title": "Gift", "gift_title": "KVM cable"}
    )
    assert refused.status_code == 422
    for html in (page, refused.get_data(as_text=True)):
        text = visible(html).lower()
        assert "product id" not in text and "produkt-id" not in text
    assert "product picker" in visible(refused.get_data(as_text=True))
