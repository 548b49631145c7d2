"""Program results on the admin's home (issue 19): every figure recomputed from the rows."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from plugin import clock, ledger
from plugin.accounts import activate, get_or_create_member, link_customer
from plugin.extensions import db
from plugin.models import Member, Order, PointEntry, Redemption, ShopCustomer
from plugin.reports import program_results
from plugin.reports.queries.points import shop_value_per_point

_ids = iter(range(9_100_000_001, 9_200_000_000))


def person(shop: Any, email: str, *, joined: Any, activated: Any = None) -> tuple[Member, str]:
    customer_id = str(next(_ids))
    member = get_or_create_member(email)
    if activated is not None:
        activate(member, activated, "test")
    link_customer(shop, customer_id, member=member, email=email)
    db.session.flush()
    row = db.session.execute(
        select(ShopCustomer).where(ShopCustomer.customer_id == customer_id)
    ).scalar_one()
    row.created_at = joined
    return member, customer_id


def order(
    shop: Any,
    member: Member | None,
    customer_id: str,
    paid_at: Any,
    total: str,
    codes: list[str] = (),
    refunded: str = "0",
) -> None:
    db.session.add(
        Order(
            shop_id=shop.id,
            order_id=str(next(_ids)),
            member_id=member.id if member else None,
            customer_id=customer_id,
            currency=shop.currency,
            net_amount=Decimal(total),
            total_amount=Decimal(total),
            refunded_amount=Decimal(refunded),
            paid_at=paid_at,
            discount_codes=list(codes),
        )
    )


def build_store(shop: Any) -> dict[str, Any]:
    """Two months of a small store, with every kind of row the figures read."""
    (last, last_start, last_end), (this, this_start, _now) = program_results.month_bounds(shop, 2)
    day = timedelta(days=1)
    ann, ann_c = person(
        shop, "ann@example.com", joined=last_start + day, activated=last_start + 2 * day
    )
    bob, bob_c = person(shop, "bob@example.com", joined=last_start + 3 * day)  # never activated
    cy, cy_c = person(
        shop, "cy@example.com", joined=this_start + day / 2, activated=this_start + day / 2
    )
    guest_c = str(next(_ids))
    ledger.post_entry(
        shop_id=shop.id,
        member_id=ann.id,
        delta=3000,
        kind="order",
        cause_key="a1",
        at=last_start + 2 * day,
    )
    ledger.post_entry(
        shop_id=shop.id,
        member_id=ann.id,
        delta=-500,
        kind="redemption",
        cause_key="a2",
        at=last_start + 5 * day,
    )
    ledger.post_entry(
        shop_id=shop.id,
        member_id=bob.id,
        delta=-200,
        kind="order_clawback",
        cause_key="b1",
        at=last_start + 4 * day,
    )
    ledger.post_entry(
        shop_id=shop.id,
        member_id=cy.id,
        delta=1000,
        kind="order",
        cause_key="c1",
        at=this_start + day / 2,
    )
    db.session.add(
        Redemption(
            shop_id=shop.id,
            member_id=ann.id,
            customer_id=ann_c,
            purpose="reward",
            title="$5 off",
            kind="fixed_amount",
            amount=Decimal(5),
            currency=shop.currency,
            state="issued",
            code="TSM-ANN",
            points=500,
            created_at=last_start + 5 * day,
        )
    )
    db.session.add(
        Redemption(
            shop_id=shop.id,
            member_id=cy.id,
            customer_id=cy_c,
            purpose="reward",
            title="credit",
            kind="store_credit",
            amount=Decimal(10),
            currency=shop.currency,
            state="issued",
            credit_transaction_id="gid://shopify/StoreCreditAccountCreditTransaction/1",
            points=1000,
            created_at=this_start + day / 2,
            issued_at=this_start + day / 2,
        )
    )
    order(shop, ann, ann_c, last_start + 2 * day, "100.00")
    order(
        shop, ann, ann_c, last_start + 6 * day, "50.00", ["tsm-ann"], refunded="10.00"
    )  # used the code
    order(shop, bob, bob_c, last_start + 4 * day, "80.00")
    order(shop, None, guest_c, last_start + 4 * day, "30.00")
    order(shop, None, guest_c, this_start + day / 2, "30.00")
    order(shop, cy, cy_c, this_start + day / 2, "20.00")
    db.session.commit()
    return {"last": last, "this": this, "last_end": last_end}


def recompute(shop: Any, start: Any, end: Any) -> dict[str, Any]:
    """The figures straight from the rows, the slow and obvious way."""
    links = (
        db.session.execute(select(ShopCustomer).where(ShopCustomer.shop_id == shop.id))
        .scalars()
        .all()
    )
    members = {c.member_id for c in links if c.created_at < end}
    activated = {
        m for m in members if (a := db.session.get(Member, m).activated_at) is not None and a < end
    }
    redeemers = {
        r.member_id
        for r in db.session.execute(select(Redemption)).scalars()
        if r.purpose == "reward" and r.state != "failed" and start <= r.created_at < end
    }
    codes = {
        r.code.upper()
        for r in db.session.execute(select(Redemption)).scalars()
        if r.code and r.purpose in ("reward", "referral")
    }
    orders = db.session.execute(select(Order).where(Order.shop_id == shop.id)).scalars().all()
    revenue = sum(
        (
            o.total_amount - o.refunded_amount
            for o in orders
            if start <= o.paid_at < end and any(c.upper() in codes for c in o.discount_codes)
        ),
        Decimal(0),
    )
    rep: dict[bool, list[int]] = {True: [0, 0], False: [0, 0]}
    for customer in {o.customer_id for o in orders if start <= o.paid_at < end}:
        mine = [o for o in orders if o.customer_id == customer and o.paid_at < end]
        member = db.session.get(Member, mine[0].member_id) if mine[0].member_id else None
        is_member = (
            member is not None and member.activated_at is not None and member.activated_at < end
        )
        rep[is_member][0] += 1
        rep[is_member][1] += len(mine) >= 2
    balances: dict[int, int] = {}
    for e in db.session.execute(select(PointEntry).where(PointEntry.shop_id == shop.id)).scalars():
        if e.created_at < end:
            balances[e.member_id] = balances.get(e.member_id, 0) + e.delta
    outstanding = sum(b for b in balances.values() if b > 0)
    credit = sum(
        (
            r.amount
            for r in db.session.execute(select(Redemption)).scalars()
            if r.kind == "store_credit" and r.issued_at and r.issued_at < end
        ),
        Decimal(0),
    )
    pct = lambda a, b: (Decimal(a) / Decimal(b) * 100).quantize(Decimal("0.1")) if b else Decimal(0)  # noqa: E731
    return {
        "members": len(members),
        "activation_rate": pct(len(activated), len(members)),
        "redemption_rate": pct(len(redeemers), len(activated)),
        "code_revenue": revenue,
        "repeat_members": pct(rep[True][1], rep[True][0]),
        "repeat_non_members": pct(rep[False][1], rep[False][0]),
        "points_outstanding": outstanding,
        "points_liability": (Decimal(outstanding) * shop_value_per_point(shop)).quantize(
            Decimal("0.01")
        ),
        "store_credit_outstanding": credit,
    }


def test_every_figure_equals_the_one_recomputed_from_the_rows(shops: Any) -> None:
    shop = shops["us"]
    build_store(shop)
    shown = program_results.results(shop, months=2)
    for month, (_, start, end) in zip(shown, program_results.month_bounds(shop, 2), strict=True):
        expected = recompute(shop, start, end)
        assert {k: getattr(month, k) for k in expected} == expected, month.month
    last, this = shown
    # And by hand, so the recomputation itself is checked once:
    assert (last.members, last.activated, last.activation_rate) == (2, 1, Decimal("50.0"))
    assert (last.redemption_rate, last.code_revenue) == (Decimal("100.0"), Decimal("40.00"))
    assert (last.repeat_members, last.repeat_non_members) == (Decimal("100.0"), Decimal("0.0"))
    assert last.points_outstanding == 2500 and this.points_outstanding == 3500
    assert (this.members, this.store_credit_outstanding, this.repeat_non_members) == (
        3,
        Decimal("10.00"),
        Decimal("100.0"),
    )


def test_the_dashboard_shows_each_figure_with_its_definition(shops: Any, admin_get: Any) -> None:
    build_store(shops["us"])
    page = admin_get("/admin/").get_data(as_text=True)
    assert 'id="program-results"' in page
    for key, definition in program_results.DEFINITIONS.items():
        assert f'data-figure="{key}"' in page
        assert definition.split(",")[0].replace("'", "&#39;") in page
    assert page.count('<svg class="chart"') >= 5


def test_months_are_the_stores_own(shops: Any) -> None:
    import time_machine

    # 31 January 20:00 in New York / Los Angeles is already 1 February in UTC, and in Tokyo.
    us, jp = shops["us"], shops["jp"]
    tz_us = clock.zone(us.timezone, us.region)
    with time_machine.travel(
        clock.now().replace(year=clock.now().year + 1, month=2, day=1, hour=3, minute=0), tick=False
    ):
        assert program_results.month_bounds(us, 1)[0][0].month == (
            1 if tz_us.key.startswith("America") else 2
        )
        assert program_results.month_bounds(jp, 1)[0][0].month == 2


def test_past_months_are_stored_and_read_back_equal_to_the_recomputation(shops: Any) -> None:
    from plugin.models import ProgramMonth

    shop = shops["us"]
    build_store(shop)
    first = program_results.results(shop, months=2)
    rows = (
        db.session.execute(select(ProgramMonth).where(ProgramMonth.shop_id == shop.id))
        .scalars()
        .all()
    )
    assert [r.month for r in rows] == [first[0].month]  # the current month is never stored
    again = program_results.results(shop, months=2)  # now read from the table
    assert again == first
    _, start, end = program_results.month_bounds(shop, 2)[0]
    expected = recompute(shop, start, end)
    assert {k: getattr(again[0], k) for k in expected} == expected


def test_a_stored_month_is_what_the_page_shows_and_the_periodic_task_refreshes_it(
    shops: Any,
) -> None:
    from plugin.jobs.periodic import PERIODIC_TASKS
    from plugin.models import ProgramMonth

    shop = shops["us"]
    build_store(shop)
    program_results.results(shop, months=2)
    row = db.session.execute(
        select(ProgramMonth).where(ProgramMonth.shop_id == shop.id)
    ).scalar_one()
    row.members = 999  # a stale figure: the page shows the table's, not a rescan
    db.session.commit()
    assert program_results.results(shop, months=2)[0].members == 999
    assert PERIODIC_TASKS["program_results.store_past_months"]() >= 1
    assert program_results.results(shop, months=2)[0].members == 2
