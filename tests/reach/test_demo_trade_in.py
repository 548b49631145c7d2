"""The local demo (`make run`) has a trade-in waiting in each store: approving it in the admin puts
the member's email, in the store's language with the store's ship-by date, in the local mailbox."""

from __future__ import annotations

from typing import Any

import pytest

from plugin.extensions import db
from plugin.models import TradeIn
from plugin.program.messages import format_date
from tests.storefront.test_demo import demo, loaded_demo  # noqa: F401  (the demo, loaded)

pytestmark = pytest.mark.slow  # the demo's load (tests/conftest.py runs slow modules first)


@pytest.mark.parametrize(
    ("region", "locale"), [("us", "en"), ("eu", "de"), ("jp", "ja"), ("kr", "ko")]
)
def test_approving_the_demo_trade_in_mails_the_member(
    demo: Any,
    shops: Any,
    admin_post: Any,
    mailbox: Any,
    fake_admin: Any,
    region: str,
    locale: str,
) -> None:
    shop = shops[region]
    applied = db.session.query(TradeIn).filter_by(shop_id=shop.id, state="applied").one()
    before = len(mailbox.messages())
    assert admin_post(f"/admin/trade-ins/{applied.id}/approve", {}, shop=region).status_code == 303
    db.session.refresh(applied)
    messages = mailbox.messages()
    assert len(messages) == before + 1
    assert format_date(applied.ship_by, locale) in messages[0].text
    assert [
        t["payload"]["State"]
        for t in fake_admin.flow_triggers(shop.domain, "tesmart-trade-in-changed")
    ][-1] == "approved"


def test_the_dev_window_on_the_fake_shows_the_trigger_and_the_metafield_write(
    demo: Any,
    shops: Any,
    admin_post: Any,
    mailbox: Any,
    client: Any,
) -> None:
    # What `make run` shows at /dev/shopify: the approval's Flow trigger at once, and the member's
    # metafields once the coalesced write of the next minute has run (the dev sweeper runs it
    # there).
    from datetime import timedelta

    import time_machine

    from plugin import clock
    from plugin.jobs import sweep
    from plugin.models import ShopCustomer

    shop = shops["jp"]
    applied = db.session.query(TradeIn).filter_by(shop_id=shop.id, state="applied").one()
    customer = (
        db.session.query(ShopCustomer).filter_by(shop_id=shop.id, member_id=applied.member_id).one()
    )
    assert admin_post(f"/admin/trade-ins/{applied.id}/approve", {}, shop="jp").status_code == 303
    seen = client.get(f"/dev/shopify?shop={shop.domain}").get_json()
    assert [
        t["payload"]["State"]
        for t in seen["flow_triggers"]
        if t["handle"] == "tesmart-trade-in-changed"
    ][-1] == "approved"
    with time_machine.travel(clock.now() + timedelta(minutes=2), tick=False):
        sweep()
    seen = client.get(f"/dev/shopify?shop={shop.domain}").get_json()
    fields = seen["customer_metafields"][f"gid://shopify/Customer/{customer.customer_id}"]
    assert fields["$app.tesmart_id_status"] == "active" and "MetafieldsSet" in seen["operations"]
    assert client.get("/dev/shopify").status_code == 400
