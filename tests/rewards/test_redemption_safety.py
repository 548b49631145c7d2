"""Invariants 3 and 4 under stress: concurrent redemptions, a worker killed mid-way, a failing
Admin API. Points are never spent twice, a code is never made twice, and nothing is lost."""

from __future__ import annotations

import dataclasses
import threading
from collections import Counter

import pytest
from sqlalchemy import select

from plugin import outbox
from plugin.effects import EFFECTS
from plugin.extensions import db
from plugin.jobs import run_outbox_item
from plugin.models import Member, PointEntry, Redemption, Reward, Shop
from plugin.rewards.redemptions import CREATE, RedemptionError, redeem
from tests.conftest import TEST_DATABASE_URL
from tests.rewards.conftest import balance, codes_for, pending_items, redemption, settle_outbox


def reward_id(shop: Shop, points: int) -> int:
    return db.session.execute(
        select(Reward.id).where(Reward.shop_id == shop.id, Reward.points == points)
    ).scalar_one()


def all_redemptions() -> list[Redemption]:
    db.session.expire_all()
    return list(db.session.execute(select(Redemption).order_by(Redemption.id)).scalars())


@pytest.mark.postgres
@pytest.mark.skipif(
    not TEST_DATABASE_URL.startswith("postgres"), reason="row locks need PostgreSQL"
)
# Threads, each with its own connection, race for the balance.
@pytest.mark.commits
def test_fifty_concurrent_redemptions_never_spend_more_than_the_balance(
    app, shops, make_member, fake_admin
) -> None:  # type: ignore[no-untyped-def]
    shop = shops["us"]
    member, customer = make_member(
        shop, "ann@example.com", points=5_200
    )  # ten 500-point rewards, 200 left
    shop_id, member_id, reward = shop.id, member.id, reward_id(shop, 500)
    threads_count = 50
    start = threading.Barrier(threads_count)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt() -> None:
        with app.app_context():
            try:
                own_shop = db.session.get(Shop, shop_id)
                own_member = db.session.get(Member, member_id)
                # Hand the connection back while waiting: 50 threads share a smaller pool.
                db.session.commit()
                start.wait(timeout=60)
                redeem(own_shop, own_member, customer, reward)
                outcome = "redeemed"
            except RedemptionError as exc:
                outcome = exc.code
            except Exception as exc:  # noqa: BLE001  (reported in the assertion below)
                outcome = f"error: {exc!r}"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=attempt) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    settle_outbox()  # the jobs the threads enqueued (Redis mode), run here after the join

    assert Counter(outcomes) == {"redeemed": 10, "insufficient_points": 40}
    assert balance(shop_id, member_id) == 200
    debits = db.session.execute(
        select(PointEntry.delta).where(
            PointEntry.member_id == member_id, PointEntry.kind == "redemption"
        )
    ).scalars()
    assert list(debits) == [-500] * 10
    issued = all_redemptions()
    assert [r.state for r in issued] == ["issued"] * 10
    assert sorted(c["code"] for c in fake_admin.discount_codes(shop.domain)) == sorted(
        r.code for r in issued
    )


def test_a_worker_killed_between_the_admin_call_and_its_commit_leaves_one_code(
    shops, make_member, fake_admin, held_jobs, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    shop = shops["us"]
    member, customer = make_member(shop, "ann@example.com", points=1_200)
    made = redeem(shop, member, customer, reward_id(shop, 1000))
    made_id, code = made.id, made.code
    [item_id] = pending_items(CREATE)

    real = EFFECTS[CREATE]

    def killed(*_args: object) -> None:
        raise SystemExit("worker killed after Shopify made the code, before the commit")

    monkeypatch.setitem(EFFECTS, CREATE, dataclasses.replace(real, on_success=killed))
    with pytest.raises(SystemExit):
        run_outbox_item(item_id)
    db.session.rollback()  # the dead worker's transaction never commits
    assert len(codes_for(fake_admin, shop, code)) == 1
    assert redemption(made_id).state == "pending"
    assert pending_items(CREATE) == [item_id]

    monkeypatch.setitem(EFFECTS, CREATE, real)
    settle_outbox()

    assert len(codes_for(fake_admin, shop, code)) == 1
    again = redemption(made_id)
    assert (again.state, again.code) == ("issued", code)
    assert again.discount_node_id == codes_for(fake_admin, shop, code)[0]["id"]
    assert balance(shop.id, member.id) == 200
    # The second run asked for the same code, was told TAKEN, and found the first one.
    code_calls = [
        op
        for op in fake_admin.operations_called(shop.domain)
        if op and op.startswith("DiscountCode")
    ]
    assert code_calls == [
        "DiscountCodeBasicCreate",
        "DiscountCodeBasicCreate",
        "DiscountCodeByCode",
    ]


def test_a_lost_enqueue_is_healed_by_the_sweep(
    app, shops, make_member, fake_admin, held_jobs
) -> None:  # type: ignore[no-untyped-def]
    from plugin.jobs import sweep

    shop = shops["us"]
    member, customer = make_member(shop, "ann@example.com", points=600)
    made = redeem(shop, member, customer, reward_id(shop, 500))
    held_jobs.enqueued.clear()  # Redis was down: the job never reached a worker
    sweep()
    [code_item] = pending_items(CREATE)  # (the points also queued a Flow trigger and metafields)
    assert [
        args
        for name, args in held_jobs.enqueued
        if name == "run_outbox_item" and args == (code_item,)
    ] == [(code_item,)]
    for _, args in held_jobs.enqueued:
        run_outbox_item(*args)
    assert redemption(made.id).state == "issued"


FAULTS = [
    ("throttled", {}, 7),
    ("http_429", {"retry_after": 3}, 6),
    ("http_500", {}, 6),
    ("http_503", {}, 7),
    ("timeout", {"applied": True}, 3),  # Shopify made the code; the answer was lost
]


def test_a_throttled_or_failing_admin_api_loses_no_redemption_and_doubles_none(
    shops, make_member, fake_admin, held_jobs
) -> None:  # type: ignore[no-untyped-def]
    members = []
    for region in ("us", "eu", "jp", "kr"):
        for n in range(3):
            member, customer = make_member(
                shops[region], f"m{n}@{region}.example.com", points=2_000
            )
            members.append((shops[region], member, customer))
    for shop, member, customer in members:
        for _ in range(3):
            redeem(shop, member, customer, reward_id(shop, 500))
    for kind, options, times in FAULTS:
        fake_admin.inject(kind, times, operation="DiscountCodeBasicCreate", **options)

    rounds = settle_outbox()

    assert rounds > 1, "the faults should have made some items wait for a retry"
    assert fake_admin.pending_faults() == []
    outcomes = Counter(c.outcome for c in fake_admin.calls)
    for kind in ("throttled", "http_429", "http_500", "http_503"):
        assert outcomes[kind] > 0, kind
    made = all_redemptions()
    assert len(made) == 36
    assert {r.state for r in made} == {"issued"}
    for shop, member, _ in members:
        assert balance(shop.id, member.id) == 500
        codes = fake_admin.discount_codes(shop.domain)
        assert Counter(c["code"] for c in codes) == Counter(
            r.code for r in made if r.shop_id == shop.id
        )


def test_exhausted_retries_and_permanent_refusals_give_the_points_back(
    shops, make_member, fake_admin, held_jobs
) -> None:  # type: ignore[no-untyped-def]
    shop = shops["eu"]
    member, customer = make_member(shop, "eva@example.de", points=3_000)
    for _ in range(2):
        redeem(shop, member, customer, reward_id(shop, 1000))
    fake_admin.inject("http_503", 10_000, operation="DiscountCodeBasicCreate")

    settle_outbox(max_rounds=outbox.MAX_ATTEMPTS + 2)

    fake_admin.clear_faults()
    assert [r.state for r in all_redemptions()] == ["failed", "failed"]
    assert balance(shop.id, member.id) == 3_000
    assert fake_admin.discount_codes(shop.domain) == []
    refunds = db.session.execute(
        select(PointEntry.delta).where(PointEntry.kind == "redemption_refund")
    ).scalars()
    assert list(refunds) == [1000, 1000]
