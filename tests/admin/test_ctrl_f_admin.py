"""CTRL F in the admin: the merchant creates and edits a program, reads applicants' setups,
selects one and sees the code that was issued, and sees feedback received or overdue."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from plugin import clock
from plugin.extensions import db
from plugin.models import AuditLog, CtrlFApplication, CtrlFProgram, Redemption
from plugin.models.types import utcnow
from tests.admin import factories


def _dates() -> dict[str, str]:
    today = utcnow().date()
    return {
        "applications_close_on": (today + timedelta(days=10)).isoformat(),
        "feedback_due_on": (today + timedelta(days=40)).isoformat(),
    }


def _follow(admin_get: Any, response: Any) -> str:
    location = urlsplit(response.headers["Location"])
    query = {k: v for k, v in parse_qsl(location.query) if k not in ("shop", "host", "id_token")}
    return admin_get(location.path, **query).get_data(as_text=True)


def test_a_program_is_created_and_edited(shops: Any, admin_post: Any, admin_get: Any) -> None:
    form = {
        "title": "KVM 8 beta",
        "product_title": "TESmart KVM 8",
        "product_id": "gid://shopify/Product/123",
        "discount_percent": "40",
        "seats": "3",
        **_dates(),
    }
    created = admin_post("/admin/ctrl-f", form)
    assert created.status_code == 303
    program = db.session.query(CtrlFProgram).one()
    assert (program.shop_id, program.product_id, program.discount_percent, program.seats) == (
        shops["us"].id,
        "123",
        Decimal("40.00"),
        3,
    )
    assert "40%" in admin_get("/admin/ctrl-f").get_data(as_text=True)
    assert "—%" not in admin_get("/admin/ctrl-f").get_data(as_text=True)
    assert (
        admin_post(
            f"/admin/ctrl-f/{program.id}", {**form, "seats": "5", "discount_percent": "35"}
        ).status_code
        == 303
    )
    db.session.expire_all()
    assert (program.seats, program.discount_percent) == (5, Decimal("35.00"))
    assert [a for (a,) in db.session.query(AuditLog.action).order_by(AuditLog.id)] == [
        "ctrl_f.create",
        "ctrl_f.update",
    ]


def test_a_program_with_bad_dates_says_so_plainly(shops: Any, admin_post: Any) -> None:
    dates = _dates()
    response = admin_post(
        "/admin/ctrl-f",
        {
            "title": "x",
            "product_title": "y",
            "seats": "2",
            "applications_close_on": dates["feedback_due_on"],
            "feedback_due_on": dates["applications_close_on"],
        },
    )
    assert response.status_code == 422
    assert "Feedback is due after applications close." in response.get_data(as_text=True)
    assert db.session.query(CtrlFProgram).count() == 0


def test_selecting_an_applicant_shows_the_code(
    shops: Any, admin_post: Any, admin_get: Any, fake_admin: Any
) -> None:
    us = shops["us"]
    tester = factories.member(us, "tester@example.com", activated=factories.at("2026-01-01"))
    customer = factories.customer_id_of(us, tester)
    fake_admin.add_customer(us.domain, email="tester@example.com", customer_id=int(customer))
    assert (
        admin_post(
            "/admin/ctrl-f",
            {"title": "KVM beta", "product_title": "TESmart KVM 8", "seats": "2", **_dates()},
        ).status_code
        == 303
    )
    program = db.session.query(CtrlFProgram).one()
    application = CtrlFApplication(
        shop_id=us.id,
        program_id=program.id,
        member_id=tester.id,
        customer_id=customer,
        setup="2 PCs, one Mac mini, a 4K monitor",
    )
    db.session.add(application)
    db.session.commit()
    assert "2 PCs, one Mac mini, a 4K monitor" in admin_get(f"/admin/ctrl-f/{program.id}").get_data(
        as_text=True
    )
    selected = admin_post(f"/admin/ctrl-f/{program.id}/applications/{application.id}/select")
    assert selected.status_code == 303
    page = _follow(admin_get, selected)
    redemption = db.session.query(Redemption).filter_by(purpose="ctrl_f").one()
    assert redemption.code and f"Their code: {redemption.code}" in page
    assert "Done." not in page


def test_feedback_received_and_overdue_are_shown(shops: Any, admin_get: Any) -> None:
    us = shops["us"]
    today = clock.today(clock.zone(us.timezone, us.region))  # the store's own day
    program = CtrlFProgram(
        shop_id=us.id,
        title="Old beta",
        product_title="KVM 4",
        seats=2,
        discount_percent=None,
        applications_close_on=today - timedelta(days=40),
        feedback_due_on=today - timedelta(days=1),
    )
    db.session.add(program)
    db.session.flush()
    for email, feedback in (("a@example.com", "Works with two Macs."), ("b@example.com", None)):
        member = factories.member(us, email, activated=factories.at("2026-01-01"))
        db.session.add(
            CtrlFApplication(
                shop_id=us.id,
                program_id=program.id,
                member_id=member.id,
                customer_id=factories.customer_id_of(us, member),
                state="selected",
                feedback=feedback,
                feedback_submitted_at=utcnow() if feedback else None,
            )
        )
    db.session.commit()
    text = admin_get(f"/admin/ctrl-f/{program.id}").get_data(as_text=True)
    assert "Works with two Macs." in text and "received" in text and "overdue" in text
    assert "—%" not in text and "40% (default)" in text
