"""Invariants 1 and 2 under random delivery: duplicates, re-orderings and replays (Hypothesis),
and the same delivery from several threads at once."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from plugin.extensions import db
from plugin.models import Member, PointEntry, Wallet
from plugin.shops.registry import add_shop
from tests import payloads, signing
from tests.conftest import SHOP_DOMAINS, TEST_DATABASE_URL, _empty_tables, drain_jobs
from webhooks.receiver import _shop_cache

EMAILS = ("ann@example.com", "bob@example.com")


def scenario(
    product_id: int, plan: list[tuple[int, int, list[str], bool]]
) -> list[tuple[str, dict[str, Any], str]]:
    """The canonical, in-order deliveries: (topic, payload, webhook id) per event."""
    events: list[tuple[str, dict[str, Any], str]] = []
    for index, (who, cents, refunds, cancel) in enumerate(plan):
        price = f"{cents / 100:.2f}"
        order = payloads.order(
            order_id=5000 + index,
            lines=[payloads.line_item(product_id, price)],
            customer_block=payloads.customer(customer_id=9000 + who, email=EMAILS[who]),
            shipping="0.00",
        )
        events.append(("orders/paid", order, f"paid-{index}"))
        for number, amount in enumerate(refunds):
            events.append(
                (
                    "refunds/create",
                    payloads.refund(order, amount, refund_id=7000 + index * 10 + number),
                    f"refund-{index}-{number}",
                )
            )
        if cancel:
            events.append(
                (
                    "orders/cancelled",
                    {**order, "cancelled_at": "2026-11-22T00:00:00Z"},
                    f"cancel-{index}",
                )
            )
    return events


def post(client: Any, topic: str, payload: dict[str, Any], webhook_id: str) -> None:
    body = signing.webhook_body(payload)
    response = client.post(
        f"/webhooks/{topic}",
        data=body,
        headers=signing.webhook_headers(topic, body, SHOP_DOMAINS["us"], webhook_id=webhook_id),
    )
    assert response.status_code == 200, response.get_data(as_text=True)


def check_ledger() -> None:
    db.session.expire_all()
    for wallet in db.session.execute(select(Wallet)).scalars():
        total = db.session.execute(
            select(func.coalesce(func.sum(PointEntry.delta), 0)).where(
                PointEntry.shop_id == wallet.shop_id, PointEntry.member_id == wallet.member_id
            )
        ).scalar_one()
        assert wallet.balance == total
    duplicates = db.session.execute(
        select(PointEntry.cause_key)
        .group_by(PointEntry.shop_id, PointEntry.cause_key)
        .having(func.count() > 1)
    ).all()
    assert duplicates == []


def balances() -> dict[str, int]:
    db.session.expire_all()
    rows = db.session.execute(
        select(Member.email_normalized, Wallet.balance).join(Wallet, Wallet.member_id == Member.id)
    ).all()
    return {email: amount for email, amount in rows}


def fresh(app: Any, product_id: int) -> Any:
    db.session.remove()
    _empty_tables(db)
    _shop_cache.clear()
    add_shop(SHOP_DOMAINS["us"], "us")
    db.session.commit()
    client = app.test_client()
    post(client, "products/create", payloads.product(product_id), f"product-{product_id}")
    return client


ORDER_PLAN = st.lists(
    st.tuples(
        st.integers(0, 1),
        st.integers(1000, 50000),
        st.lists(st.sampled_from(["1.00", "3.33", "10.00", "25.50"]), max_size=2),
        st.booleans(),
    ),
    min_size=1,
    max_size=3,
)


@settings(
    max_examples=8 if TEST_DATABASE_URL else 25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(plan=ORDER_PLAN, data=st.data())
def test_any_interleaving_gives_the_in_order_result(app, plan, data) -> None:  # type: ignore[no-untyped-def]
    product_id = 4242
    canonical = scenario(product_id, plan)

    client = fresh(app, product_id)
    for topic, payload, webhook_id in canonical:
        post(client, topic, payload, webhook_id)
    expected = balances()

    client = fresh(app, product_id)
    shuffled = data.draw(st.permutations(canonical))
    extra = data.draw(st.lists(st.tuples(st.sampled_from(canonical), st.booleans()), max_size=4))
    deliveries = list(shuffled)
    for (topic, payload, webhook_id), replay in extra:
        # a duplicate (same webhook id) or a replay (Shopify re-sends under a new id), anywhere
        position = data.draw(st.integers(0, len(deliveries)))
        deliveries.insert(
            position, (topic, payload, f"{webhook_id}-replay" if replay else webhook_id)
        )
    for topic, payload, webhook_id in deliveries:
        post(client, topic, payload, webhook_id)
        check_ledger()
    assert balances() == expected


@pytest.mark.postgres
@pytest.mark.skipif(
    not TEST_DATABASE_URL.startswith("postgres"), reason="needs PostgreSQL (DATABASE_URL)"
)
def test_same_delivery_from_many_threads_has_one_effect(app, shops, deliver) -> None:  # type: ignore[no-untyped-def]
    switch = payloads.product(product_type="KVM Switch")
    deliver("products/create", switch)
    order = payloads.order(
        lines=[payloads.line_item(switch["id"], "99.00")],
        customer_block=payloads.customer(email="ann@example.com"),
    )
    barrier = threading.Barrier(8)
    statuses: list[int] = []

    def send(index: int) -> None:
        client = app.test_client()
        body = signing.webhook_body(order)
        webhook_id = "same-delivery" if index % 2 else f"replay-{index}"
        headers = signing.webhook_headers(
            "orders/paid", body, SHOP_DOMAINS["us"], webhook_id=webhook_id
        )
        barrier.wait()
        with app.app_context():
            statuses.append(
                client.post("/webhooks/orders/paid", data=body, headers=headers).status_code
            )

    threads = [threading.Thread(target=send, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 8
    drain_jobs(app)
    check_ledger()
    assert balances() == {"ann@example.com": 2000}
    db.session.expire_all()
    assert (
        db.session.execute(
            select(func.count()).select_from(PointEntry).where(PointEntry.kind == "order")
        ).scalar_one()
        == 1
    )
