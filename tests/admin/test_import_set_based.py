"""`members import` writes each batch set-based: it leaves exactly what importing its rows one by
one (``import_row``, a savepoint each) leaves, the bad rows reported the same way."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from sqlalchemy import select

from plugin.accounts import activate, get_or_create_member
from plugin.effects import EFFECTS, metafields
from plugin.extensions import db
from plugin.members import importer
from plugin.models import Member, OutboxItem, PointEntry, Wallet
from plugin.outbox import EffectKind
from tests.conftest import SHOP_DOMAINS

US, EU = SHOP_DOMAINS["us"], SHOP_DOMAINS["eu"]


def row(email: str, registered_at: str, shop: str, points: str) -> dict[str, str]:
    return {"email": email, "registered_at": registered_at, "shop": shop, "points": points}


ROWS = [
    row("plain@example.com", "2024-05-01", US, "100"),
    row("twice@example.com", "2025-06-01", US, "0"),  # no balance from this row...
    row("twice@example.com", "2025-01-10", US, "50"),  # ...the first with points opens it
    row("twice@example.com", "2024-01-10", US, "70"),  # earlier still: cohort moves, no entry
    row("twice@example.com", "2025-02-01", EU, "30"),  # another shop: a balance of its own
    row(" Mixed.Case@Example.COM ", "2025-04-02T23:30:00-04:00", US, "5"),
    row("pending@example.com", "2025-05-05", EU, "12"),  # an ID created here, not activated
    row("active@example.com", "2025-09-01", US, "40"),  # activated here later: nothing moves
    row("early@example.com", "2024-02-02", US, "8"),  # activated here later: this day wins
    row("nomore@example.com", "2024-03-03", EU, ""),  # no points: a wallet, no entry
    {"email": "short@example.com", "registered_at": "2024-01-01", "shop": US},
    row("not-an-email", "2024-01-01", US, "1"),
    row("ok@example.com", "2024-01-01", "elsewhere.myshopify.com", "1"),
    row("future@example.com", "2031-01-01", US, "1"),
    row("minus@example.com", "2024-01-01", US, "-3"),
    row("half@example.com", "2024-01-01", US, "1.5"),
    row("when@example.com", "yesterday", US, "1"),
    row("plain@example.com", "2024-05-01", EU, "9"),
]
NOW = datetime(2026, 1, 15, 9, 30, 20, tzinfo=UTC)


def _before() -> None:
    """The IDs the app knew before the import (written in the test's open transaction)."""
    get_or_create_member("pending@example.com")
    for email, at in (
        ("active@example.com", datetime(2025, 6, 1, 15, tzinfo=UTC)),
        ("early@example.com", datetime(2025, 6, 1, 15, tzinfo=UTC)),
    ):
        activate(get_or_create_member(email), at, "storefront")  # type: ignore[arg-type]
    db.session.flush()


def _state() -> dict[str, Any]:
    db.session.expire_all()
    emails = {m.id: m.email_normalized for m in db.session.execute(select(Member)).scalars()}
    members = sorted(
        (
            m.email_normalized,
            m.email,
            m.registered_at,
            m.registered_on,
            m.cohort,
            m.activated_at,
            m.activation_source,
            m.imported,
            m.state,
            m.referral_code is not None,
        )
        for m in db.session.execute(select(Member)).scalars()
    )
    wallets = sorted(
        (emails[w.member_id], w.shop_id, w.balance, w.last_activity_at)
        for w in db.session.execute(select(Wallet)).scalars()
    )
    entries = sorted(
        (
            emails[e.member_id],
            e.shop_id,
            e.delta,
            e.kind,
            e.cause_key.replace(str(e.member_id), emails[e.member_id] or ""),
            e.note,
            e.actor,
            e.created_at,
        )
        for e in db.session.execute(select(PointEntry)).scalars()
    )
    items = sorted(
        (
            o.shop_id,
            o.kind,
            o.idempotency_key.replace(f":{o.payload['member_id']}:", ":"),
            emails[o.payload["member_id"]],
            o.state,
            o.attempts,
            o.next_attempt_at,
            o.created_at,
        )
        for o in db.session.execute(select(OutboxItem)).scalars()
    )
    return {"members": members, "wallets": wallets, "entries": entries, "outbox": items}


@pytest.mark.parametrize("batch", [1, 4, 2000])
def test_a_batch_leaves_what_its_rows_imported_one_by_one_leave(
    shops: Any, monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    with time_machine.travel(NOW, tick=False):
        _before()
        errors = []
        for line, raw in enumerate(ROWS, start=2):
            try:
                with db.session.begin_nested():
                    importer.import_row(raw, {})
            except (importer.RowError, ValueError) as exc:
                errors.append({"line": line, "error": str(exc)})
        one_by_one = _state()
        db.session.rollback()
        assert db.session.query(Member).count() == 0

        _before()
        monkeypatch.setattr(importer, "CHECKPOINT_EVERY", batch)
        run = importer.import_members(ROWS, filename="old.csv", actor="cli")
        batched = _state()
    assert run.errors == errors and len(errors) == 7
    assert (run.state, run.position, run.imported_rows) == ("done", len(ROWS), len(ROWS) - 7)
    assert batched == one_by_one
    assert [e[0] for e in batched["entries"] if e[0] == "twice@example.com"] == [
        "twice@example.com",
        "twice@example.com",
    ]


def test_a_referral_code_drawn_twice_is_drawn_again(
    shops: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = get_or_create_member("holder@example.com")
    activate(taken, datetime(2025, 6, 1, tzinfo=UTC), "storefront")  # type: ignore[arg-type]
    db.session.commit()
    codes = iter([taken.referral_code, "NEWCODE2", "NEWCODE3"])  # type: ignore[union-attr]
    monkeypatch.setattr(importer, "new_referral_code", lambda: next(codes))
    run = importer.import_members(
        [row("new@example.com", "2024-01-01", US, "10")], filename="old.csv", actor="cli"
    )
    assert (run.imported_rows, run.errors) == (1, [])
    new = db.session.execute(
        select(Member).where(Member.email_normalized == "new@example.com")
    ).scalar_one()
    assert new.referral_code == "NEWCODE2"


def test_the_set_based_import_writes_items_the_metafields_effect_performs(shops: Any) -> None:
    run = importer.import_members(
        [row("meta@example.com", "2024-01-01", US, "10")], filename="meta.csv", actor="cli"
    )
    assert (run.imported_rows, run.errors) == (1, [])
    kinds = {item.kind for item in db.session.execute(select(OutboxItem)).scalars()}
    assert kinds == {EffectKind.CUSTOMER_METAFIELDS.value}
    assert EFFECTS[EffectKind.CUSTOMER_METAFIELDS.value].perform is metafields.write


def test_every_outbox_kind_has_one_effect_and_every_effect_a_kind() -> None:
    assert sorted(EFFECTS) == sorted(kind.value for kind in EffectKind)
