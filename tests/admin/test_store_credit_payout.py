"""Store credit is offered as a trade-in payout only where shoppers can spend it: Shopify's
``storeCreditConfiguration`` and the shop's customer accounts are asked first; elsewhere the admin
says so and offers the other payout forms (issue 14, "Storefront and extensions")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from plugin.extensions import db
from plugin.models import OutboxItem, TradeIn
from tests.admin import factories

CANNOT_SPEND = {
    "disabled": {"store_credit_enabled": False},
    "classic_accounts": {"customer_accounts": "CLASSIC"},
}


def shipped(shop: Any, fake_admin: Any) -> tuple[TradeIn, str]:
    member = factories.member(shop, "trader@example.com", activated=factories.at("2026-01-01"))
    customer = factories.customer_id_of(shop, member)
    fake_admin.add_customer(shop.domain, email="trader@example.com", customer_id=int(customer))
    return factories.trade_in(shop, member, state="shipped", value="40.00"), customer


@pytest.mark.parametrize("reason", CANNOT_SPEND)
def test_where_shoppers_cannot_spend_store_credit_the_admin_says_so_and_offers_the_rest(
    shops: Any, admin_get: Any, admin_post: Any, fake_admin: Any, reason: str
) -> None:
    us = shops["us"]
    fake_admin.configure_shop(us.domain, **CANNOT_SPEND[reason])
    trade_in, customer = shipped(us, fake_admin)
    path = f"/admin/trade-ins/{trade_in.id}"

    page = admin_get(path).get_data(as_text=True)
    form = page.split('id="pay-form"')[1].split("</form>")[0]
    assert 'value="store_credit"' not in form  # today: offered regardless
    assert 'value="refund"' in form and 'value="code"' in form
    assert 'data-store-credit="unavailable"' in form and "cannot" in form

    refused = admin_post(
        f"{path}/pay", {"method": "store_credit", "amount": "40.00", "confirmed": "1"}
    )
    assert refused.status_code == 422 and "instead" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(TradeIn, trade_in.id).state == "shipped"
    assert (
        db.session.query(OutboxItem).filter(OutboxItem.kind.like("store_credit%")).count() == 0
    )  # (the approval queued its email and Flow trigger)
    assert fake_admin.store_credit(us.domain, f"gid://shopify/Customer/{customer}") == Decimal("0")

    assert (
        admin_post(
            f"{path}/pay", {"method": "code", "amount": "40.00", "confirmed": "1"}
        ).status_code
        == 303
    )
    db.session.expire_all()
    assert db.session.get(TradeIn, trade_in.id).payout_method == "code"


def test_where_store_credit_is_spendable_it_is_offered(
    shops: Any, admin_get: Any, fake_admin: Any
) -> None:
    us = shops["us"]
    trade_in, _ = shipped(us, fake_admin)
    form = (
        admin_get(f"/admin/trade-ins/{trade_in.id}")
        .get_data(as_text=True)
        .split('id="pay-form"')[1]
    )
    assert 'value="store_credit"' in form.split("</form>")[0]
    assert "StoreCreditAvailability" in fake_admin.operations_called(us.domain)


def test_a_credit_over_the_accounts_limit_fails_visibly_and_the_trade_in_can_be_paid_otherwise(
    shops: Any, admin_post: Any, fake_admin: Any
) -> None:
    us = shops["us"]
    fake_admin.configure_shop(us.domain, store_credit_limit="25.00")
    trade_in, customer = shipped(us, fake_admin)
    path = f"/admin/trade-ins/{trade_in.id}"
    assert (
        admin_post(
            f"{path}/pay", {"method": "store_credit", "amount": "40.00", "confirmed": "1"}
        ).status_code
        == 303
    )
    db.session.expire_all()
    item = db.session.query(OutboxItem).filter(OutboxItem.kind.like("store_credit%")).one()
    assert item.state == "failed" and "credit limit" in (item.last_error or "")
    row = db.session.get(TradeIn, trade_in.id)
    assert row.state == "shipped" and row.payout_method is None  # stepped back: pay another way
    assert fake_admin.store_credit(us.domain, f"gid://shopify/Customer/{customer}") == Decimal("0")
    assert (
        admin_post(
            f"{path}/pay", {"method": "code", "amount": "40.00", "confirmed": "1"}
        ).status_code
        == 303
    )
