"""The ledger writes only the kinds of ``plugin.program.entries``, and the dashboard reads their
summary lines from the same table (POLICY.md section 3)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from plugin import ledger
from plugin.extensions import db
from plugin.models import PointEntry, Wallet
from plugin.program.entries import EntryKind
from plugin.reports.queries.points import points_summary
from tests.admin import factories


def test_an_unknown_kind_is_refused_before_anything_is_written(shops: dict[str, Any]) -> None:
    us = shops["us"]
    ann = factories.member(us, "ann@example.com")
    with pytest.raises(ValueError, match="bonus"):
        ledger.post_entry(
            shop_id=us.id, member_id=ann.id, delta=10, kind="bonus", cause_key="bonus:1"
        )
    assert db.session.execute(select(func.count()).select_from(PointEntry)).scalar() == 0
    balance = db.session.execute(select(Wallet.balance).where(Wallet.member_id == ann.id))
    assert balance.scalar_one() == 0


def test_an_entry_stores_its_kind_as_the_text_it_always_had(shops: dict[str, Any]) -> None:
    us = shops["us"]
    ann = factories.member(us, "ann@example.com")
    factories.points(us, ann, 120, kind=EntryKind.ORDER_CLAWBACK)
    stored = db.session.execute(select(PointEntry.kind)).scalar_one()
    assert type(stored) is str and stored == "order_clawback"


def test_the_summary_reads_each_line_from_the_table(shops: dict[str, Any]) -> None:
    us = shops["us"]
    ann = factories.member(us, "ann@example.com")
    for delta, kind in [
        (500, EntryKind.ORDER),
        (-200, EntryKind.REDEMPTION),
        (200, EntryKind.REDEMPTION_REFUND),
        (-150, EntryKind.REDEMPTION),
        (-50, EntryKind.EXPIRY),
        (-40, EntryKind.ORDER_CLAWBACK),
        (30, EntryKind.ADJUSTMENT),
    ]:
        factories.points(us, ann, delta, kind=kind)
    summary = points_summary(us)
    assert (summary.issued, summary.redeemed, summary.expired, summary.taken_back) == (
        530,
        150,
        50,
        40,
    )
    assert summary.outstanding == 530 - 150 - 50 - 40
