"""Invariant 5 in the admin: a session token of another shop sees none of this shop's data."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from plugin.extensions import db
from plugin.models import (
    AuditLog,
    Campaign,
    CtrlFApplication,
    CtrlFProgram,
    ImportRun,
    PointEntry,
    ReturnRequest,
    Reward,
    StaffGrant,
    WarrantyClaim,
)
from plugin.models.types import utcnow
from tests.admin import factories

MARKER = "usonly"  # every US row below carries it


@pytest.fixture()
def us_data(shops: Any) -> dict[str, Any]:
    us = shops["us"]
    member = factories.member(
        us,
        f"{MARKER}-jane@example.com",
        first=f"{MARKER}First",
        activated=factories.at("2026-01-05"),
    )
    factories.points(us, member, 2000, key=f"order:{MARKER}")
    trade_in = factories.trade_in(us, member, note=f"{MARKER} trade note")
    db.session.add_all(
        [
            ReturnRequest(
                shop_id=us.id,
                member_id=member.id,
                order_id=f"{MARKER}-order",
                reason="faulty",
                outcome="refund",
                return_shipping_paid_by="tesmart",
                state="requested",
                refund_due_on=date.today() - timedelta(days=3),
                received_on=date.today() - timedelta(days=10),
            ),
            WarrantyClaim(
                shop_id=us.id,
                member_id=member.id,
                device_id=trade_in.device_id,
                outcome="replacement",
                return_shipping_paid_by="tesmart",
                description=MARKER,
            ),
            Campaign(
                shop_id=us.id,
                kind="points_multiplier",
                title=f"{MARKER} week",
                starts_at=utcnow(),
                ends_at=utcnow() + timedelta(days=3),
                details={},
            ),
            Reward(
                shop_id=us.id, title=f"{MARKER} reward", points=300, kind="fixed_amount", amount=3
            ),
            AuditLog(shop_id=us.id, actor=f"staff:{MARKER}", action="settings.program"),
            ImportRun(shop_id=us.id, filename=f"{MARKER}.csv", actor="staff:1"),
            StaffGrant(shop_id=us.id, user_id=f"{MARKER}-user", role="owner"),
        ]
    )
    program = CtrlFProgram(
        shop_id=us.id,
        title=f"{MARKER} test",
        product_title="KVM",
        seats=3,
        applications_close_on=date.today(),
        feedback_due_on=date.today(),
    )
    db.session.add(program)
    db.session.flush()
    db.session.add(
        CtrlFApplication(
            shop_id=us.id, program_id=program.id, member_id=member.id, customer_id="1", setup=MARKER
        )
    )
    db.session.commit()
    # The EU staff member opens their own app: no grants there.
    return {
        "member": member,
        "trade_in": trade_in,
        "program": program,
        "run": db.session.query(ImportRun).filter_by(shop_id=us.id).one(),
    }


PAGES = [
    "/admin/",
    "/admin/members",
    "/admin/members?q=usonly",
    "/admin/members?q=jane",
    "/admin/settings",
    "/admin/rewards",
    "/admin/campaigns",
    "/admin/trade-ins",
    "/admin/trade-ins?state=all",
    "/admin/trade-ins?state=applied",
    "/admin/returns",
    "/admin/returns?late=1",
    "/admin/ctrl-f",
    "/admin/data",
    "/admin/audit",
    "/admin/staff",
]


@pytest.mark.parametrize("path", PAGES)
def test_another_shops_token_sees_none_of_this_shops_rows(
    us_data: Any, admin_get: Any, path: str
) -> None:
    base, _, query = path.partition("?")
    params = dict(p.split("=") for p in query.split("&")) if query else {}
    theirs = admin_get(base, shop="eu", user="99", **params)
    ours = admin_get(base, shop="us", user=f"{MARKER}-user", **params)
    assert theirs.status_code == 200
    body = theirs.get_data(as_text=True).replace(f'value="{params.get("q")}"', "")  # the search box
    assert MARKER not in body.lower()
    assert ours.status_code == 200


def test_the_us_pages_do_show_the_markers(us_data: Any, admin_get: Any) -> None:
    """The control: the same pages with the shop's own token show its rows."""
    for path in (
        "/admin/members",
        "/admin/trade-ins",
        "/admin/returns",
        "/admin/campaigns",
        "/admin/audit",
    ):
        assert (
            MARKER
            in admin_get(path, shop="us", user=f"{MARKER}-user").get_data(as_text=True).lower()
        ), path


@pytest.mark.parametrize(
    "path",
    [
        "/admin/members/{member}",
        "/admin/members/{member}/export.json",
        "/admin/trade-ins/{trade_in}",
        "/admin/ctrl-f/{program}",
        "/admin/import/{run}",
        "/admin/exports/ledger.csv?member={member}",
    ],
)
def test_another_shops_token_cannot_open_this_shops_records(
    us_data: Any, admin_get: Any, path: str
) -> None:
    ids = {k: v.id for k, v in us_data.items()}
    base, _, query = path.format(**ids).partition("?")
    params = dict(p.split("=") for p in query.split("&")) if query else {}
    response = admin_get(base, shop="eu", user="99", **params)
    assert response.status_code == 404
    assert MARKER not in response.get_data(as_text=True).lower()


@pytest.mark.parametrize("name", ["members", "ledger", "trade-ins"])
def test_another_shops_exports_hold_none_of_this_shops_rows(
    us_data: Any, admin_get: Any, name: str
) -> None:
    theirs = admin_get(f"/admin/exports/{name}.csv", shop="eu", user="99")
    assert theirs.status_code == 200
    assert theirs.get_data(as_text=True).count("\n") == 1  # the header only
    ours = admin_get(f"/admin/exports/{name}.csv", shop="us", user=f"{MARKER}-user")
    assert ours.get_data(as_text=True).count("\n") == 2


@pytest.mark.parametrize(
    "path, form",
    [
        (
            "/admin/members/{member}/adjust",
            {"points": "100", "reason": "x", "adjustment_id": "a" * 32},
        ),
        ("/admin/members/{member}/activate", {}),
        ("/admin/members/{member}/end", {"action": "cancel", "reason": "asked"}),
        ("/admin/trade-ins/{trade_in}/approve", {}),
        ("/admin/trade-ins/{trade_in}/revoke", {"note": "x"}),
    ],
)
def test_another_shops_token_cannot_change_this_shops_records(
    us_data: Any, admin_post: Any, path: str, form: dict[str, str]
) -> None:
    ids = {k: v.id for k, v in us_data.items()}
    before = db.session.query(PointEntry).count(), db.session.query(AuditLog).count()
    response = admin_post(path.format(**ids), form, shop="eu", user="99")
    assert response.status_code == 404
    db.session.expire_all()
    assert (db.session.query(PointEntry).count(), db.session.query(AuditLog).count()) == before
    assert us_data["trade_in"].state == "applied"


def test_a_shop_field_in_a_form_does_not_pick_the_shop(
    us_data: Any, admin_post: Any, shops: Any
) -> None:
    """The shop is the token's, never a form field's: a 'shop' field naming the US store is
    ignored."""
    response = admin_post(
        "/admin/settings",
        {
            "section": "program",
            "referral_monthly_cap": "3",
            "return_window_days": "30",
            "shop": "tesmart-us.myshopify.com",
        },
        shop="eu",
        user="99",
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert shops["eu"].settings["referral_monthly_cap"] == 3
    assert "referral_monthly_cap" not in (shops["us"].settings or {})


@pytest.mark.parametrize("granted", [False, True], ids=["no grant", "granted there too"])
def test_a_store_parameter_never_switches_the_shop(
    us_data: Any, admin_get: Any, admin_post: Any, shops: Any, granted: bool
) -> None:
    # Shopify's security checks rate a request-derived shop scope High: the shop is the session
    # token's, even for a staff member granted the other store too (issue 14, "Smaller items").
    if granted:
        db.session.add(StaffGrant(shop_id=shops["us"].id, user_id="99", role="operator"))
        db.session.commit()
    response = admin_get("/admin/members", shop="eu", user="99", store="tesmart-us.myshopify.com")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert MARKER not in body.lower() and 'data-shop="tesmart-eu.myshopify.com"' in body
    assert 'name="store"' not in body and "store=" not in body
    posted = admin_post(
        "/admin/settings",
        {"section": "program", "referral_monthly_cap": "4", "return_window_days": "30"},
        shop="eu",
        user="99",
        query={"store": "tesmart-us.myshopify.com"},
    )
    assert posted.status_code == 303
    db.session.expire_all()
    assert shops["eu"].settings["referral_monthly_cap"] == 4
    assert "referral_monthly_cap" not in (shops["us"].settings or {})
