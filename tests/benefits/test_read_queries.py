"""The storefront's hot reads (GET /proxy/member, GET /proxy/devices, POST /proxy/trade-in/quote):
few statements per request, the same answers as the one-row-at-a-time lookups they replace, and
a campaign list cache that follows every change."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from sqlalchemy import delete, event, func, insert, select

from plugin.benefits import devices
from plugin.database.reads import end_reading, read_without_transaction
from plugin.extensions import db
from plugin.models import Campaign, Shop, TradeIn, WarrantyClaim
from plugin.models.types import utcnow
from plugin.points import campaigns
from tests.benefits.conftest import MINT, WORN_NO_BOX, shop
from tests.conftest import FIXTURE_STATEMENTS


@pytest.fixture()
def statements(app: Any) -> Iterator[list[str]]:
    """Every SQL statement the app sends while the test runs (BEGIN/COMMIT are not statements)."""
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.startswith(FIXTURE_STATEMENTS):  # BEGIN/COMMIT's stand-ins, rolled back
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    yield seen
    event.remove(db.engine, "before_cursor_execute", count)


def counted(statements: list[str], call: Any) -> tuple[Any, int]:
    db.session.commit()  # the test's own reads are done: start the request from an idle session
    statements.clear()
    response = call()
    assert response.status_code == 200, response.get_json()
    return response.get_json(), len(statements)


# It counts the statements: the rolled-back default's savepoints would be counted too.
@pytest.mark.commits
def test_each_hot_read_is_one_statement(shopper, api, statements):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11")
    device_id = ann.device.id

    body, count = counted(statements, lambda: api("GET", "/member", ann))
    assert body["logged_in"] is True and body["points"]["balance"] >= 0
    assert count <= 2  # shop + customer + member + wallet in one; the campaign list
    _, count = counted(statements, lambda: api("GET", "/member", ann))
    assert count == 1  # the campaign list is cached

    body, count = counted(statements, lambda: api("GET", "/devices", ann))
    assert [d["id"] for d in body["devices"]] == [device_id]
    assert count == 1  # the context and every device with its trade-ins and claims, joined

    quote = {
        "device_id": device_id,
        "condition": {**MINT, "working": False},
    }  # free recycling: nothing written
    body, count = counted(statements, lambda: api("POST", "/trade-in/quote", ann, json=quote))
    assert body["quote_id"] is None and body["kind"] == "recycle_only"
    assert count == 1  # the context and the body's device with its trade-ins and claims, joined

    quote = {"device_id": device_id, "condition": WORN_NO_BOX}
    body, count = counted(statements, lambda: api("POST", "/trade-in/quote", ann, json=quote))
    assert body["quote_id"] is not None
    assert count == 3  # the same read, then the quote and its event; nothing read back


# The widths are read off the cursors, so the requests' own statements are told apart by text.
@pytest.mark.commits
def test_hot_reads_select_only_the_columns_their_answers_need(shopper, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11")
    selected: list[tuple[str, int]] = []

    def width(_conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            selected.append((statement, len(cursor.description or ())))

    def widths(call: Any) -> list[int]:
        db.session.commit()
        selected.clear()
        event.listen(db.engine, "after_cursor_execute", width)
        try:
            assert call().status_code == 200
        finally:
            event.remove(db.engine, "after_cursor_execute", width)
        # No storefront read loads a shop's credentials, whatever it answers.
        for statement, _ in selected:
            for secret in ("access_token_enc", "refresh_token_enc", "integration_secret_enc"):
                assert secret not in statement
        return [columns for _, columns in selected]

    api("GET", "/member", ann)  # the campaign list is cached from here
    # The shop (13 columns), the customer (5), the member (9) and, for /member, the balance.
    assert widths(lambda: api("GET", "/member", ann)) == [28]
    # Each device: the 11 columns its view reads and its history (4), not the 21 of a Device;
    # the device list comes in the visit's own statement.
    assert widths(lambda: api("GET", "/devices", ann)) == [27 + 15]
    quote = {"device_id": ann.device.id, "condition": {**MINT, "working": False}}
    # The quote's device comes in the visit's statement too.
    assert widths(lambda: api("POST", "/trade-in/quote", ann, json=quote)) == [27 + 15]


def test_a_quote_is_stored_with_its_event(shopper, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11")
    body = api(
        "POST", "/trade-in/quote", ann, json={"device_id": ann.device.id, "condition": WORN_NO_BOX}
    ).get_json()
    db.session.expire_all()
    stored = db.session.get(TradeIn, body["quote_id"])
    assert stored is not None and stored.state == "quoted" and stored.member_id == ann.member.id
    assert stored.value == Decimal(body["value"])


def _trade_in(shop_id: int, member_id: int, device_id: int, state: str, at: Any) -> TradeIn:
    return TradeIn(
        shop_id=shop_id,
        member_id=member_id,
        device_id=device_id,
        state=state,
        kind="recovery_value",
        currency="USD",
        condition={},
        created_at=at,
        updated_at=at,
    )


def test_device_history_is_what_the_single_lookups_answer(shopper):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11")
    us, member, device = shop("us"), ann.member, ann.device

    def check() -> None:
        db.session.expire_all()
        expected = devices.DeviceHistory(
            devices.trade_ins_taking_part(us, device.id),
            devices.active_replacement_claim(us, device.id) is not None,
            devices.latest_trade_in_state(us, device.id),
            db.session.execute(
                select(func.max(WarrantyClaim.id)).where(
                    WarrantyClaim.device_id == device.id, WarrantyClaim.state != "withdrawn"
                )
            ).scalar(),
        )
        [(listed, history)] = devices.member_devices_with_history(us, member)
        assert listed.id == device.id and history == expected
        assert devices.member_device_with_history(us, member, device.id) == (listed, expected)

    check()  # no history at all
    now = utcnow()
    for state in ("quoted", "applied", "expired", "quoted"):
        db.session.add(_trade_in(us.id, member.id, device.id, state, now))
        db.session.commit()
        check()
    db.session.add(
        WarrantyClaim(
            shop_id=us.id,
            member_id=member.id,
            device_id=device.id,
            state="refused",
            outcome="replacement",
            return_shipping_paid_by="tesmart",
        )
    )
    db.session.commit()
    check()  # a refused claim holds nothing
    db.session.add(
        WarrantyClaim(
            shop_id=us.id,
            member_id=member.id,
            device_id=device.id,
            state="open",
            outcome="replacement",
            return_shipping_paid_by="tesmart",
        )
    )
    db.session.commit()
    check()
    db.session.add(
        WarrantyClaim(
            shop_id=us.id,
            member_id=member.id,
            device_id=device.id,
            state="withdrawn",
            outcome="replacement",
            return_shipping_paid_by="tesmart",
        )
    )
    db.session.commit()
    check()  # a withdrawn request is not the one the card shows


def test_the_visit_with_devices_is_what_the_separate_reads_answer(shopper, buy, kvm):  # type: ignore[no-untyped-def]
    from plugin.accounts import shop_visitor

    ann = shopper("ann@example.com", cohort="2025-11")
    buy(ann, days=400)
    buy(ann, product="extender", days=30)  # a 2025-11 member's extender is registered too
    shopper("bob@example.com", cohort="2025-11")  # another member's device in the same shop
    now = utcnow()
    db.session.add(_trade_in(shop("us").id, ann.member.id, ann.devices()[0].id, "applied", now))
    db.session.commit()

    def both(domain: str, customer_id: str) -> None:
        db.session.expire_all()
        joined, rows = devices.visitor_with_devices(domain, customer_id)
        alone = shop_visitor(domain, customer_id)
        assert (joined.shop, joined.customer, joined.member) == (
            alone.shop,
            alone.customer,
            alone.member,
        )
        expected = (
            devices.member_devices_with_history(alone.shop, alone.member)
            if alone.shop is not None and alone.member is not None
            else []
        )
        assert rows == expected

    us = shop("us").domain
    both(us, str(ann.customer_id))
    [(_, history)] = [
        (d, h)
        for d, h in devices.visitor_with_devices(us, str(ann.customer_id))[1]
        if d.id == ann.devices()[0].id
    ]
    assert history.trade_ins_taking_part == 1 and history.latest_trade_in_state == "applied"
    assert len(devices.visitor_with_devices(us, str(ann.customer_id))[1]) == len(ann.devices()) == 3
    both(shop("eu").domain, str(ann.customer_id))  # the same id in another shop: no one there
    both(us, "999999999")  # a customer the shop does not know
    both("nowhere.myshopify.com", str(ann.customer_id))  # a shop the app does not know
    both("not a domain", str(ann.customer_id))


def test_another_shoppers_device_is_not_found_with_its_history(shopper):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11")
    bob = shopper("bob@example.com", cohort="2025-11")
    with pytest.raises(devices.DeviceNotFound):
        devices.member_device_with_history(shop("us"), bob.member, ann.device.id)
    with pytest.raises(devices.DeviceNotFound):
        devices.member_device_with_history(shop("eu"), ann.member, ann.device.id)


# --- the campaign list of GET /proxy/member -------------------------------------------------------


def listed(api: Any, person: Any) -> list[tuple[str, str]]:
    return [(c["kind"], c["title"]) for c in api("GET", "/member", person).get_json()["campaigns"]]


def test_the_campaign_list_follows_every_change(shopper, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11")
    us = shop("us")
    now = utcnow()
    assert listed(api, ann) == []  # cached empty

    week = Campaign(
        shop_id=us.id,
        kind="points_multiplier",
        title="Double week",
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=6),
        multiplier=Decimal("2"),
        details={},
    )
    db.session.add(week)
    db.session.commit()
    assert listed(api, ann) == [("points_multiplier", "Double week")]

    week.title = "Triple week"
    db.session.commit()
    assert listed(api, ann) == [("points_multiplier", "Triple week")]

    # Starting and ending are applied to every request, cached or not.
    later = Campaign(
        shop_id=us.id,
        kind="gift",
        title="Gift hour",
        starts_at=now + timedelta(hours=1),
        ends_at=now + timedelta(hours=2),
        details={},
    )
    db.session.add(later)
    db.session.commit()
    assert listed(api, ann) == [("points_multiplier", "Triple week")]
    with time_machine.travel(now + timedelta(hours=1, minutes=30)):
        assert listed(api, ann) == [("points_multiplier", "Triple week"), ("gift", "Gift hour")]
    with time_machine.travel(now + timedelta(hours=3)):
        assert listed(api, ann) == [("points_multiplier", "Triple week")]

    db.session.delete(week)
    db.session.commit()
    assert listed(api, ann) == []


def test_a_campaign_written_by_another_process_shows_after_the_ttl(shopper, api, monkeypatch):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11")
    us = shop("us")
    now = utcnow()
    assert listed(api, ann) == []
    # A statement, not the ORM: no event reaches this process, as for a write by another worker.
    db.session.execute(
        insert(Campaign).values(
            shop_id=us.id,
            kind="gift",
            title="Gift week",
            starts_at=now - timedelta(days=1),
            ends_at=now + timedelta(days=6),
            details={},
            created_at=now,
        )
    )
    db.session.commit()
    later = campaigns.time.monotonic() + campaigns.LISTING_TTL_SECONDS + 1
    monkeypatch.setattr(campaigns.time, "monotonic", lambda: later)
    assert listed(api, ann) == [("gift", "Gift week")]
    db.session.execute(delete(Campaign).where(Campaign.shop_id == us.id))
    db.session.commit()
    campaigns.forget_listed_campaigns()
    assert listed(api, ann) == []


def test_points_multipliers_never_read_the_cached_list(shopper, api):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11")
    us = shop("us")
    now = utcnow()
    assert listed(api, ann) == []  # the empty list is cached
    db.session.execute(
        insert(Campaign).values(
            shop_id=us.id,
            kind="points_multiplier",
            title="Double week",
            starts_at=now - timedelta(days=1),
            ends_at=now + timedelta(days=6),
            multiplier=Decimal("3"),
            details={},
            created_at=now,
        )
    )
    db.session.commit()
    assert campaigns.points_multiplier(us.id, now) == Decimal("3")


# --- reads without a transaction ------------------------------------------------------------------


def test_writes_after_end_reading_are_one_transaction_again(shops):  # type: ignore[no-untyped-def]
    db.session.commit()
    # PostgreSQL: autocommit from here; SQLite: a transaction as ever.
    assert read_without_transaction() is (db.engine.dialect.name == "postgresql")
    us = db.session.execute(select(Shop).where(Shop.domain == shops["us"].domain)).scalar_one()
    end_reading()
    us.name = "changed"
    db.session.flush()
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Shop, us.id).name != "changed"


def test_an_error_answer_gives_the_autocommit_connection_back(shops, api):  # type: ignore[no-untyped-def]
    db.session.commit()  # idle, so the request's reads run without a transaction on PostgreSQL
    assert api("GET", "/devices").status_code == 401  # the shop was read, then refused
    # This test shares the request's session: what it writes next is one transaction again.
    us = shop("us")
    us.name = "changed"
    db.session.flush()
    db.session.rollback()
    db.session.expire_all()
    assert shop("us").name != "changed"


def test_a_quote_that_fails_half_way_leaves_nothing(shopper, monkeypatch):  # type: ignore[no-untyped-def]
    from plugin.benefits import tradeins
    from plugin.program.benefits.tradein import TradeInCondition

    ann = shopper("ann@example.com", cohort="2025-11")
    us, member, device_id = shop("us"), ann.member, ann.device.id

    def broken(_value: Any) -> Any:
        raise RuntimeError("the event could not be written")

    monkeypatch.setattr(
        tradeins.quotes, "event_data", broken
    )  # after the quote's row, before its event
    db.session.commit()
    read_without_transaction()  # as the storefront view does
    with pytest.raises(RuntimeError):
        tradeins.quote(us, member, device_id, TradeInCondition(**WORN_NO_BOX), actor="customer:1")
    db.session.rollback()
    assert db.session.execute(select(TradeIn)).first() is None
