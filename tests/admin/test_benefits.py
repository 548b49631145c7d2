"""Trade-ins through the admin: applied → approved → shipped → paid, every step logged."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from plugin.extensions import db
from plugin.models import TradeIn, TradeInEvent
from tests.admin import factories


def test_a_trade_in_goes_from_applied_to_paid(
    shops: Any, admin_post: Any, admin_get: Any, fake_admin: Any
) -> None:
    us = shops["us"]
    member = factories.member(us, "trader@example.com", activated=factories.at("2026-01-01"))
    customer = factories.customer_id_of(us, member)
    fake_admin.add_customer(us.domain, email="trader@example.com", customer_id=int(customer))
    trade_in = factories.trade_in(us, member, value="45.00")
    path = f"/admin/trade-ins/{trade_in.id}"
    assert 'id="approve-form"' in admin_get(path).get_data(as_text=True)
    assert admin_post(f"{path}/approve", {"value": "40.00"}).status_code == 303
    assert (
        admin_post(f"{path}/pay", {"method": "store_credit"}).status_code == 422
    )  # not shipped yet
    assert (
        admin_post(f"{path}/ship", {"tracking_number": "1Z999", "carrier": "UPS"}).status_code
        == 303
    )
    asked = admin_post(f"{path}/pay", {"method": "store_credit", "amount": "40.00"})
    assert asked.status_code == 200 and "40.00 USD" in asked.get_data(as_text=True)  # asked first
    assert db.session.get(TradeIn, trade_in.id).state == "shipped"
    assert (
        admin_post(
            f"{path}/pay", {"method": "store_credit", "amount": "40.00", "confirmed": "1"}
        ).status_code
        == 303
    )
    db.session.expire_all()
    row = db.session.get(TradeIn, trade_in.id)
    assert (row.state, row.value, row.payout_method) == ("paid", Decimal("40.00"), "store_credit")
    steps = [
        (e.from_state, e.to_state)
        for e in db.session.query(TradeInEvent).order_by(TradeInEvent.id)
        if e.from_state != e.to_state
    ]  # notes (the payout confirmed) keep the state
    assert steps == [("applied", "approved"), ("approved", "shipped"), ("shipped", "paid")]
    assert fake_admin.store_credit(us.domain, f"gid://shopify/Customer/{customer}") == Decimal(
        "40.00"
    )


def test_the_returns_queue_flags_late_refunds(shops: Any, admin_get: Any) -> None:
    from datetime import date, timedelta

    from plugin.models import ReturnRequest

    us = shops["us"]
    db.session.add(
        ReturnRequest(
            shop_id=us.id,
            order_id="9001",
            reason="faulty",
            outcome="refund",
            return_shipping_paid_by="tesmart",
            state="received",
            received_on=date.today() - timedelta(days=12),
            refund_due_on=date.today() - timedelta(days=5),
        )
    )
    db.session.commit()
    body = admin_get("/admin/returns", late="1").get_data(as_text=True)
    assert "9001" in body and 'class="late"' in body


def test_a_return_is_received_then_refunded_from_the_queue(
    shops: Any, admin_post: Any, admin_get: Any
) -> None:
    from plugin.models import AuditLog, ReturnRequest

    us = shops["us"]
    request = ReturnRequest(
        shop_id=us.id,
        order_id="9002",
        reason="faulty",
        outcome="refund",
        return_shipping_paid_by="tesmart",
        state="requested",
    )
    db.session.add(request)
    db.session.commit()
    body = admin_get("/admin/returns").get_data(as_text=True)
    assert (
        f"/admin/returns/{request.id}/receive" in body
        and f"/admin/returns/{request.id}/refund" not in body
    )
    assert admin_post(f"/admin/returns/{request.id}/receive").status_code == 303
    assert admin_post(f"/admin/returns/{request.id}/refund").status_code == 303
    db.session.expire_all()
    row = db.session.get(ReturnRequest, request.id)
    assert row.state == "refunded" and row.received_on is not None and row.refund_due_on is not None
    assert db.session.query(AuditLog).filter(AuditLog.shop_id == us.id).count() >= 2


def test_a_ctrl_f_applicant_is_selected(shops: Any, admin_post: Any, admin_get: Any) -> None:
    from datetime import date, timedelta

    from plugin.models import CtrlFApplication, CtrlFProgram

    us = shops["us"]
    member = factories.member(us, "tester@example.com", activated=factories.at("2026-01-01"))
    program = CtrlFProgram(
        shop_id=us.id,
        title="KVM beta",
        product_title="TESmart KVM 8",
        seats=2,
        discount_percent=Decimal("40"),
        applications_close_on=date.today() + timedelta(days=5),
        feedback_due_on=date.today() + timedelta(days=30),
    )
    db.session.add(program)
    db.session.flush()
    application = CtrlFApplication(
        shop_id=us.id,
        program_id=program.id,
        member_id=member.id,
        customer_id=factories.customer_id_of(us, member),
        setup="2 PCs",
    )
    db.session.add(application)
    db.session.commit()
    assert "2 PCs" in admin_get(f"/admin/ctrl-f/{program.id}").get_data(as_text=True)
    response = admin_post(f"/admin/ctrl-f/{program.id}/applications/{application.id}/select")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(CtrlFApplication, application.id).state == "selected"
