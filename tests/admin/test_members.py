"""Members: search, manual adjustment (ledger + audit), activation, ending, data export."""

from __future__ import annotations

import json
from typing import Any

import pytest

from plugin import ledger
from plugin.extensions import db
from plugin.models import AuditLog, Member, PointEntry
from tests.admin import factories


@pytest.fixture()
def jane(shops: Any) -> Member:
    return factories.member(
        shops["us"],
        "jane@example.com",
        first="Jane",
        last="Roe",
        activated=factories.at("2025-06-01"),
    )


@pytest.mark.parametrize(
    "query, found",
    [("jane@", True), ("ROE", True), ("jane roe", True), ("bob", False), ("%", False)],
)
def test_search_by_email_or_name(jane: Member, admin_get: Any, query: str, found: bool) -> None:
    body = admin_get("/admin/members", q=query).get_data(as_text=True)
    assert (f"/admin/members/{jane.id}?" in body) is found


def test_a_members_page_shows_id_cohort_wallets_and_ledger(
    jane: Member, shops: Any, admin_get: Any
) -> None:
    factories.points(shops["us"], jane, 2000, key="order:1001")
    factories.points(shops["eu"], jane, 100, kind="signup", key="signup:1")  # a wallet elsewhere
    body = admin_get(f"/admin/members/{jane.id}").get_data(as_text=True)
    assert "2025-04" in body and "order:1001" not in body  # the entry in words, not its cause key
    assert "<td>Order</td>" in body
    assert 'data-wallet="tesmart-us.myshopify.com">2,000<' in body
    # The EU wallet is another store's data: never shown in this store's admin.
    assert "tesmart-eu.myshopify.com" not in body.split("Wallets")[1].split("Adjust points")[0]


def test_a_manual_adjustment_is_a_ledger_entry_and_an_audit_row(
    jane: Member, shops: Any, admin_get: Any, admin_post: Any
) -> None:
    response = admin_post(
        f"/admin/members/{jane.id}/adjust",
        {"points": "-250", "reason": "Goodwill correction", "adjustment_id": "b" * 32},
        user="77",
    )
    assert response.status_code == 303
    entry = (
        db.session.query(PointEntry)
        .filter_by(shop_id=shops["us"].id, member_id=jane.id, kind="adjustment")
        .one()
    )
    assert (entry.delta, entry.note, entry.actor, entry.cause_key) == (
        -250,
        "Goodwill correction",
        "staff:77",
        "adjustment:" + "b" * 32,
    )
    row = db.session.query(AuditLog).filter_by(action="points.adjust").one()
    assert (row.shop_id, row.actor, row.subject_id) == (shops["us"].id, "staff:77", str(jane.id))
    assert (
        row.before == {"balance": 0}
        and row.after["balance"] == -250
        and row.after["reason"] == "Goodwill correction"
    )
    assert (
        ledger.balance(shops["us"].id, jane.id)
        == ledger.sum_of_entries(shops["us"].id, jane.id)
        == -250
    )
    page = admin_get(f"/admin/members/{jane.id}", done="adjusted").get_data(as_text=True)
    assert "Goodwill correction" in page and "-250" in page and "Points adjusted" in page


def test_a_double_submitted_adjustment_counts_once(
    jane: Member, shops: Any, admin_post: Any
) -> None:
    form = {"points": "500", "reason": "Lost order points", "adjustment_id": "c" * 32}
    assert admin_post(f"/admin/members/{jane.id}/adjust", form).status_code == 303
    assert admin_post(f"/admin/members/{jane.id}/adjust", form).status_code == 303
    assert ledger.sum_of_entries(shops["us"].id, jane.id) == 500
    assert db.session.query(AuditLog).filter_by(action="points.adjust").count() == 1


@pytest.mark.parametrize(
    "case, form",
    [
        ("no reason", {"points": "100", "reason": "  "}),
        ("zero", {"points": "0", "reason": "x"}),
        ("not a number", {"points": "ten", "reason": "x"}),
        ("a fraction", {"points": "1.5", "reason": "x"}),
        ("too many", {"points": "5000000", "reason": "x"}),
        ("forged id", {"points": "100", "reason": "x", "adjustment_id": "../../etc"}),
    ],
)
def test_a_refused_adjustment_writes_nothing(
    jane: Member, admin_post: Any, case: str, form: dict[str, str]
) -> None:
    response = admin_post(f"/admin/members/{jane.id}/adjust", form)
    assert response.status_code == 422
    assert db.session.query(PointEntry).filter_by(kind="adjustment").count() == 0
    assert db.session.query(AuditLog).count() == 0


def test_activation_by_the_merchant(shops: Any, admin_post: Any) -> None:
    pending = factories.member(shops["us"], "pending@example.com")
    assert admin_post(f"/admin/members/{pending.id}/activate").status_code == 303
    db.session.expire_all()
    member = db.session.get(Member, pending.id)
    assert member.activated_at is not None and member.activation_source == "merchant"
    assert (
        db.session.query(AuditLog)
        .filter_by(action="member.activate", subject_id=str(member.id))
        .count()
        == 1
    )
    first = member.activated_at
    admin_post(f"/admin/members/{pending.id}/activate")
    db.session.expire_all()
    assert db.session.get(Member, pending.id).activated_at == first  # recorded once, never moves


def test_cancelling_forfeits_the_points_of_this_store(
    jane: Member, shops: Any, admin_post: Any
) -> None:
    factories.points(shops["us"], jane, 700)
    assert (
        admin_post(f"/admin/members/{jane.id}/end", {"action": "cancel", "reason": ""}).status_code
        == 422
    )
    asked = admin_post(
        f"/admin/members/{jane.id}/end", {"action": "cancel", "reason": "Asked by email"}
    )
    assert asked.status_code == 200 and "700 points" in asked.get_data(
        as_text=True
    )  # says what is forfeited
    db.session.expire_all()
    assert db.session.get(Member, jane.id).state == "open"
    confirmed = {"action": "cancel", "reason": "Asked by email", "confirmed": "1"}
    assert admin_post(f"/admin/members/{jane.id}/end", confirmed).status_code == 303
    db.session.expire_all()
    assert db.session.get(Member, jane.id).state == "cancelled"
    assert ledger.sum_of_entries(shops["us"].id, jane.id) == 0


def test_the_data_request_export_is_the_members_record_in_this_store(
    jane: Member, shops: Any, admin_get: Any
) -> None:
    factories.points(shops["us"], jane, 2000, key="order:77")
    response = admin_get(f"/admin/members/{jane.id}/export.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    record = json.loads(response.get_data(as_text=True))
    assert record["shop"] == "tesmart-us.myshopify.com"
    assert [e["cause_key"] for e in record["ledger"]] == ["order:77"]
    assert db.session.query(AuditLog).filter_by(action="member.export").count() == 1
