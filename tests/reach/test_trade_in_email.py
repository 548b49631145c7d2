"""Done when: approving a trade-in in the admin puts an email in the dev mailbox, in the member's
store language, with the ship-by date of the store's own day; the fake Admin API has received the
Flow trigger and (a minute later, coalesced) the metafield write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from plugin.clock import today, zone
from plugin.extensions import db
from plugin.jobs import sweep
from plugin.models import TradeIn
from plugin.program.messages import format_date
from tests.admin import factories


@pytest.mark.parametrize(
    ("region", "ship_by_words"),
    [("us", "Ship by"), ("eu", "Versand bis"), ("jp", "発送期限"), ("kr", "발송 기한")],
)
def test_approving_a_trade_in_in_the_admin_emails_the_member_in_the_store_language(
    shops: Any, admin_post: Any, fake_admin: Any, mailbox: Any, region: str, ship_by_words: str
) -> None:
    shop = shops[region]
    # 23:30 UTC: already the next day in Tokyo and Seoul, still the same day in New York.
    moment = datetime.now(UTC).replace(hour=23, minute=30, second=0, microsecond=0) + timedelta(
        days=1
    )
    with time_machine.travel(moment, tick=False):
        member = factories.member(
            shop, f"trader-{region}@example.com", activated=moment - timedelta(days=40)
        )
        customer = factories.customer_id_of(shop, member)
        fake_admin.add_customer(shop.domain, email=member.email, customer_id=int(customer))
        trade_in = factories.trade_in(shop, member, value="45.00")
        response = admin_post(f"/admin/trade-ins/{trade_in.id}/approve", {}, shop=region)
        assert response.status_code == 303

        db.session.expire_all()
        approved = db.session.get(TradeIn, trade_in.id)
        store_today = today(zone(shop.timezone, shop.region))
        assert approved.ship_by == store_today + timedelta(days=30)

        sent = mailbox.messages()
        assert len(sent) == 1
        email = sent[0]
        assert email.to == member.email
        locale = {"us": "en", "eu": "de", "jp": "ja", "kr": "ko"}[region]
        shown = format_date(approved.ship_by, locale)
        assert shown in email.subject and shown in email.text and shown in email.html
        assert f"{ship_by_words}: {shown}" in email.text
        assert email.html.lstrip().lower().startswith("<!doctype html>")

        triggers = fake_admin.flow_triggers(shop.domain, "tesmart-trade-in-changed")
        assert [(t["payload"]["customer_id"], t["payload"]["State"]) for t in triggers] == [
            (int(customer), "approved")
        ]
        assert triggers[0]["payload"]["Ship by"] == approved.ship_by.isoformat()

    with time_machine.travel(moment + timedelta(seconds=61), tick=False):
        sweep()
        fields = fake_admin.customer_metafields(shop.domain, f"gid://shopify/Customer/{customer}")
        assert fields["$app.tesmart_id_status"] == "active"


def test_a_second_approval_attempt_sends_no_second_email(
    shops: Any, admin_post: Any, fake_admin: Any, mailbox: Any
) -> None:
    us = shops["us"]
    member = factories.member(
        us, "twice@example.com", activated=datetime.now(UTC) - timedelta(days=40)
    )
    fake_admin.add_customer(
        us.domain, email=member.email, customer_id=int(factories.customer_id_of(us, member))
    )
    trade_in = factories.trade_in(us, member, value="45.00")
    assert admin_post(f"/admin/trade-ins/{trade_in.id}/approve", {}).status_code == 303
    assert (
        admin_post(f"/admin/trade-ins/{trade_in.id}/approve", {}).status_code == 422
    )  # already approved
    assert len(mailbox.messages()) == 1
