"""Returns, warranty claims and trade-ins each have a page with what the shopper sent, the
policy's verdict and why, the device's history and every step with who took it and when."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from plugin.database import audit
from plugin.extensions import db
from plugin.models import AuditLog, Device, ReturnRequest, WarrantyClaim
from plugin.models.types import utcnow
from tests.admin import factories

PHOTOS = ["/uploads/returns/1/front.jpg", "/uploads/returns/1/clip.mp4"]


def _return(shops: Any) -> tuple[ReturnRequest, Device]:
    us = shops["us"]
    jane = factories.member(us, "jane@example.com", activated=factories.at("2026-01-01"))
    trade_in = factories.trade_in(us, jane)
    device = db.session.get(Device, trade_in.device_id)
    request = ReturnRequest(
        shop_id=us.id,
        member_id=jane.id,
        order_id=device.order_id,
        reason="faulty",
        outcome="refund",
        return_shipping_paid_by="tesmart",
        state="requested",
        description="The HDMI port 3 flickers.",
        photos=PHOTOS,
        proof_of_purchase="/uploads/returns/1/invoice.pdf",
        delivery_address={
            "name": "Jane Roe",
            "address1": "1 Main St",
            "city": "Springfield",
            "zip": "12345",
            "country": "US",
        },
        phone="+1 555 0100",
        created_at=utcnow() - timedelta(hours=3),
    )
    db.session.add(request)
    db.session.flush()
    audit.record(
        shop_id=us.id,
        actor="customer:5001",
        action="return.request",
        subject_type="return",
        subject_id=request.id,
        after={
            "order_id": device.order_id,
            "reason": "faulty",
            "outcome": "refund",
            "verdict": "refund_within_30_days",
        },
    )
    db.session.commit()
    return request, device


def test_a_return_page_shows_what_the_shopper_sent(shops: Any, admin_get: Any) -> None:
    request, device = _return(shops)
    page = admin_get(f"/admin/returns/{request.id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert (
        'src="/uploads/returns/1/front.jpg"' in text
        and '<video src="/uploads/returns/1/clip.mp4"' in text
    )
    assert 'href="/uploads/returns/1/invoice.pdf"' in text
    for shown in (
        "The HDMI port 3 flickers.",
        "1 Main St",
        "Springfield",
        "+1 555 0100",
        device.serial,
    ):
        assert shown in text
    assert "Refund: returned within the return window" in text  # the verdict, in words
    assert "refund_within_30_days" not in text
    assert "Requested a return" in text and "The shopper" in text  # the step, with who took it


def test_the_queue_links_each_return_and_claim_to_its_page(shops: Any, admin_get: Any) -> None:
    request, device = _return(shops)
    claim = WarrantyClaim(
        shop_id=shops["us"].id,
        member_id=request.member_id,
        device_id=device.id,
        state="open",
        outcome="replacement",
        return_shipping_paid_by="tesmart",
        description="Dead on arrival",
    )
    db.session.add(claim)
    db.session.commit()
    text = admin_get("/admin/returns").get_data(as_text=True)
    assert f"/admin/returns/{request.id}?" in text and f"/admin/warranty-claims/{claim.id}?" in text


def test_a_claim_page_shows_the_device_history_and_steps(
    shops: Any, admin_get: Any, admin_post: Any
) -> None:
    request, device = _return(shops)
    claim = WarrantyClaim(
        shop_id=shops["us"].id,
        member_id=request.member_id,
        device_id=device.id,
        state="open",
        outcome="replacement",
        return_shipping_paid_by="tesmart",
        description="Dead on arrival",
    )
    db.session.add(claim)
    db.session.commit()
    assert (
        admin_post(f"/admin/warranty-claims/{claim.id}/approve", {"back": "detail"}).status_code
        == 303
    )
    text = admin_get(f"/admin/warranty-claims/{claim.id}").get_data(as_text=True)
    assert "Dead on arrival" in text and device.serial in text
    assert f"Return request #{request.id}" in text and "Trade-in #" in text  # the device's history
    assert "Approved the claim" in text and "Staff member 42" in text
    step = db.session.query(AuditLog).filter_by(action="warranty_claim.approve").one()
    assert step.actor == "staff:42"


def test_a_claim_refusal_asks_first(shops: Any, admin_post: Any) -> None:
    request, device = _return(shops)
    claim = WarrantyClaim(
        shop_id=shops["us"].id,
        member_id=request.member_id,
        device_id=device.id,
        state="open",
        outcome="replacement",
        return_shipping_paid_by="tesmart",
    )
    db.session.add(claim)
    db.session.commit()
    asked = admin_post(f"/admin/warranty-claims/{claim.id}/refuse", {"note": "Water damage"})
    assert asked.status_code == 200 and "keeps its one warranty replacement" in asked.get_data(
        as_text=True
    )
    db.session.expire_all()
    assert db.session.get(WarrantyClaim, claim.id).state == "open"
    assert (
        admin_post(
            f"/admin/warranty-claims/{claim.id}/refuse", {"note": "Water damage", "confirmed": "1"}
        ).status_code
        == 303
    )
    db.session.expire_all()
    assert db.session.get(WarrantyClaim, claim.id).state == "refused"


def test_another_stores_return_is_not_found(shops: Any, admin_get: Any) -> None:
    request, _device = _return(shops)
    assert admin_get(f"/admin/returns/{request.id}", shop="eu").status_code == 404
