"""The local demo (`make run`) has a trade-in waiting in each store: approving it in the admin puts
the member's email, in the store's language with the store's ship-by date, in the local mailbox."""

from __future__ import annotations

from typing import Any

import pytest

from plugin.extensions import db
from plugin.models import TradeIn
from plugin.program.messages import format_date
from tests.storefront.test_demo import demo  # noqa: F401  (the demo, loaded)


@pytest.mark.parametrize(("region", "locale"), [("us", "en"), ("eu", "de"), ("jp", "ja"), ("kr", "ko")])
def test_approving_the_demo_trade_in_mails_the_member(demo: Any, shops: Any, admin_post: Any, mailbox: Any, fake_admin: Any, region: str, locale: str) -> None:  # noqa: F811
    shop = shops[region]
    applied = db.session.query(TradeIn).filter_by(shop_id=shop.id, state="applied").one()
    before = len(mailbox.messages())
    assert admin_post(f"/admin/trade-ins/{applied.id}/approve", {}, shop=region).status_code == 303
    db.session.refresh(applied)
    messages = mailbox.messages()
    assert len(messages) == before + 1
    assert format_date(applied.ship_by, locale) in messages[0].text
    assert [t["payload"]["State"] for t in fake_admin.flow_triggers(shop.domain, "tesmart-trade-in-changed")][-1] == "approved"
