"""Admin actions that move money or take a benefit away are bounded and confirmed first.

The cases the merchant met: trade-in #8 quoted at 209.65 USD and approved at 9,999 USD; a typo of
-100000 points; one-click endings of memberships, campaigns, rewards, returns, claims and grants.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from plugin import ledger
from plugin.benefits import tradeins
from plugin.extensions import db
from plugin.models import (
    AuditLog,
    Campaign,
    Device,
    Member,
    PointEntry,
    ReturnRequest,
    Reward,
    TradeIn,
)
from plugin.models.types import utcnow
from tests.admin import factories


@pytest.fixture()
def matrix(shops: Any) -> TradeIn:
    """A $599 matrix quoted at $209.65, applied for."""
    us = shops["us"]
    member = factories.member(us, "trader@example.com", activated=factories.at("2026-01-01"))
    trade_in = factories.trade_in(us, member, value="209.65")
    device = db.session.get(Device, trade_in.device_id)
    device.amount_paid = Decimal("599.00")
    db.session.commit()
    return trade_in


def test_an_approval_above_the_quote_without_a_reason_is_refused(
    matrix: TradeIn, admin_post: Any
) -> None:
    response = admin_post(f"/admin/trade-ins/{matrix.id}/approve", {"value": "400.00"})
    assert response.status_code == 422
    assert "209.65 USD" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(TradeIn, matrix.id).state == "applied"


def test_an_approval_above_the_quote_asks_a_second_time(matrix: TradeIn, admin_post: Any) -> None:
    form = {"value": "400.00", "reason": "Mint condition, original box"}
    asked = admin_post(f"/admin/trade-ins/{matrix.id}/approve", form)
    text = asked.get_data(as_text=True)
    assert asked.status_code == 200 and 'id="confirm-form"' in text
    assert "209.65 USD" in text and "190.35 USD" in text  # the quote, and how much more
    db.session.expire_all()
    assert db.session.get(TradeIn, matrix.id).state == "applied"  # nothing happened yet
    assert (
        admin_post(f"/admin/trade-ins/{matrix.id}/approve", {**form, "confirmed": "1"}).status_code
        == 303
    )
    db.session.expire_all()
    row = db.session.get(TradeIn, matrix.id)
    assert (row.state, row.value) == ("approved", Decimal("400.00"))
    audit = db.session.query(AuditLog).filter_by(action="trade_in.approve").one()
    assert (
        audit.after["reason"] == "Mint condition, original box"
        and audit.after["value_quoted"] == "209.65"
    )


def test_no_approval_exceeds_the_price_paid_even_confirmed(
    matrix: TradeIn, admin_post: Any
) -> None:
    form = {"value": "9999.00", "reason": "typo", "confirmed": "1"}
    response = admin_post(f"/admin/trade-ins/{matrix.id}/approve", form)
    assert response.status_code == 422 and "599.00 USD" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(TradeIn, matrix.id).value == Decimal("209.65")


def test_the_service_itself_holds_the_bounds(matrix: TradeIn, shops: Any) -> None:
    with pytest.raises(tradeins.ValueAboveQuote):
        tradeins.approve(shops["us"], matrix.id, "staff:1", "300.00", reason="why not")
    with pytest.raises(tradeins.ValueAbovePrice):
        tradeins.approve(shops["us"], matrix.id, "staff:1", "599.01", reason="x", confirmed=True)
    assert tradeins.approve(
        shops["us"], matrix.id, "staff:1", "599.00", reason="x", confirmed=True
    ).value == Decimal("599.00")


def test_an_inspection_cannot_raise_the_value_above_the_price_paid(
    matrix: TradeIn, shops: Any
) -> None:
    us = shops["us"]
    tradeins.approve(us, matrix.id, "staff:1")
    tradeins.mark_shipped(us, matrix.id, "staff:1", "1Z1")
    tradeins.pay(us, matrix.id, "staff:1", "code")
    tradeins.mark_received(us, matrix.id, "staff:1")
    with pytest.raises(tradeins.ValueAbovePrice):
        tradeins.inspect(us, matrix.id, "staff:1", "adjusted", "700.00")


def test_a_payout_shows_its_amount_and_currency_before_it_is_sent(
    matrix: TradeIn, shops: Any, admin_post: Any, admin_get: Any
) -> None:
    us = shops["us"]
    tradeins.approve(us, matrix.id, "staff:1")
    tradeins.mark_shipped(us, matrix.id, "staff:1", "1Z1")
    page = admin_get(f"/admin/trade-ins/{matrix.id}").get_data(as_text=True)
    assert "Pay 209.65 USD" in page
    asked = admin_post(f"/admin/trade-ins/{matrix.id}/pay", {"method": "code", "amount": "209.65"})
    assert asked.status_code == 200 and "209.65 USD" in asked.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(TradeIn, matrix.id).state == "shipped"
    stale = admin_post(
        f"/admin/trade-ins/{matrix.id}/pay",
        {"method": "code", "amount": "300.00", "confirmed": "1"},
    )
    assert stale.status_code == 422  # another amount than the one due: nothing is paid
    db.session.expire_all()
    assert db.session.get(TradeIn, matrix.id).state == "shipped"


@pytest.fixture()
def jane(shops: Any) -> Member:
    jane = factories.member(shops["us"], "jane@example.com", activated=factories.at("2026-01-01"))
    factories.points(shops["us"], jane, 3050)
    return jane


def test_a_large_adjustment_shows_both_balances_and_waits_for_confirmation(
    jane: Member, shops: Any, admin_post: Any, admin_get: Any
) -> None:
    us = shops["us"]
    form = {"points": "-100000", "reason": "typo test", "adjustment_id": "a" * 32}
    asked = admin_post(f"/admin/members/{jane.id}/adjust", form)
    text = asked.get_data(as_text=True)
    assert asked.status_code == 200 and 'id="confirm-form"' in text
    assert "3,050 points" in text and "-96,950 points" in text.replace("−", "-")
    assert ledger.balance(us.id, jane.id) == 3050
    done = admin_post(f"/admin/members/{jane.id}/adjust", {**form, "confirmed": "1"})
    assert done.status_code == 303
    assert ledger.balance(us.id, jane.id) == -96950
    banner = admin_get(
        done.headers["Location"].split("?")[0], **_query(done.headers["Location"])
    ).get_data(as_text=True)
    assert "−100,000" in banner and "-96,950" in banner.replace("−", "-")


def test_a_small_adjustment_needs_no_confirmation(
    jane: Member, shops: Any, admin_post: Any
) -> None:
    response = admin_post(
        f"/admin/members/{jane.id}/adjust",
        {"points": "-5000", "reason": "x", "adjustment_id": "b" * 32},
    )
    assert response.status_code == 303
    assert ledger.balance(shops["us"].id, jane.id) == -1950


def test_the_threshold_is_the_stores_setting(jane: Member, shops: Any, admin_post: Any) -> None:
    us = shops["us"]
    assert (
        admin_post(
            "/admin/settings",
            {
                "section": "program",
                "referral_monthly_cap": "20",
                "return_window_days": "30",
                "adjustment_confirm_threshold": "100",
            },
        ).status_code
        == 303
    )
    asked = admin_post(
        f"/admin/members/{jane.id}/adjust",
        {"points": "500", "reason": "x", "adjustment_id": "c" * 32},
    )
    assert asked.status_code == 200
    assert db.session.query(PointEntry).filter_by(shop_id=us.id, kind="adjustment").count() == 0


def _query(location: str) -> dict[str, str]:
    from urllib.parse import parse_qsl, urlsplit

    pairs = dict(parse_qsl(urlsplit(location).query))
    pairs.pop("shop", None)
    pairs.pop("host", None)
    pairs.pop("id_token", None)
    return pairs


def test_ending_a_campaign_asks_first(shops: Any, admin_post: Any) -> None:
    us = shops["us"]
    now = utcnow()
    campaign = Campaign(
        shop_id=us.id,
        title="Double points",
        kind="points_multiplier",
        multiplier=Decimal("2"),
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=5),
    )
    db.session.add(campaign)
    db.session.commit()
    asked = admin_post(f"/admin/campaigns/{campaign.id}", {"action": "end"})
    assert asked.status_code == 200 and 'id="confirm-form"' in asked.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).ends_at > utcnow()
    assert (
        admin_post(
            f"/admin/campaigns/{campaign.id}", {"action": "end", "confirmed": "1"}
        ).status_code
        == 303
    )


def test_archiving_a_reward_asks_first(shops: Any, admin_post: Any) -> None:
    us = shops["us"]
    reward = Reward(
        shop_id=us.id, title="5 USD off", points=500, kind="fixed_amount", amount=Decimal("5")
    )
    db.session.add(reward)
    db.session.commit()
    asked = admin_post(f"/admin/rewards/{reward.id}", {"action": "archive"})
    assert asked.status_code == 200 and "stay valid" in asked.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Reward, reward.id).active
    assert (
        admin_post(
            f"/admin/rewards/{reward.id}", {"action": "archive", "confirmed": "1"}
        ).status_code
        == 303
    )
    db.session.expire_all()
    assert not db.session.get(Reward, reward.id).active


def test_closing_a_return_asks_first(shops: Any, admin_post: Any) -> None:
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
    asked = admin_post(f"/admin/returns/{request.id}/close")
    assert asked.status_code == 200 and 'id="confirm-form"' in asked.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ReturnRequest, request.id).state == "requested"
    assert admin_post(f"/admin/returns/{request.id}/close", {"confirmed": "1"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(ReturnRequest, request.id).state == "closed"


def test_removing_a_grant_asks_first(shops: Any, admin_get: Any, admin_post: Any) -> None:
    from plugin.models import StaffGrant

    assert (
        admin_get("/admin/", user="77").status_code == 200
    )  # grants go to staff who opened the app
    assert admin_post("/admin/staff", {"user_id": "42", "role": "owner"}).status_code == 303
    assert admin_post("/admin/staff", {"user_id": "77", "role": "operator"}).status_code == 303
    grant = db.session.query(StaffGrant).filter_by(user_id="77").one()
    asked = admin_post(f"/admin/staff/{grant.id}/delete")
    assert asked.status_code == 200 and 'id="confirm-form"' in asked.get_data(as_text=True)
    assert db.session.query(StaffGrant).filter_by(user_id="77").count() == 1
    assert admin_post(f"/admin/staff/{grant.id}/delete", {"confirmed": "1"}).status_code == 303
    assert db.session.query(StaffGrant).filter_by(user_id="77").count() == 0
