"""CTRL F product tests (POLICY.md 7): members apply, the merchant selects, selected members get a
single-use code (40%, legacy 50%), missing feedback is flagged."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from plugin.benefits import ctrlf
from plugin.extensions import db
from plugin.models import AuditLog, CtrlFApplication, CtrlFProgram, Redemption
from tests.benefits.conftest import shop, store_today

APPLICATION = {
    "setup": "Two PCs and a MacBook on a 34-inch monitor.",
    "devices": "Dell XPS, Mac mini M4",
}


@pytest.fixture()
def program(shops):  # type: ignore[no-untyped-def]
    def make(region: str = "us", **fields):  # type: ignore[no-untyped-def]
        today = store_today(region)
        row = CtrlFProgram(
            shop_id=shop(region).id,
            title="Spring dock test",
            product_title="TESmart Thunderbolt 4 KVM dock",
            seats=fields.pop("seats", 2),
            applications_close_on=fields.pop("applications_close_on", today + timedelta(days=14)),
            feedback_due_on=fields.pop("feedback_due_on", today + timedelta(days=60)),
            **fields,
        )
        db.session.add(row)
        db.session.commit()
        return row.id

    return make


def apply(api, person, program_id):  # type: ignore[no-untyped-def]
    return api("POST", f"/ctrl-f/{program_id}/applications", person, json=APPLICATION)


@pytest.mark.parametrize(
    ("cohort", "percent"), [("2025-11", "40"), ("2025-04", "40"), ("legacy", "50")]
)
def test_open_tests_show_the_members_percent(shopper, api, program, cohort, percent):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort=cohort)
    program_id = program()
    program(applications_close_on=store_today() - timedelta(days=1))  # closed: not listed
    [listed] = api("GET", "/ctrl-f", ann).get_json()["programs"]
    assert (listed["id"], listed["discount_percent"], listed["applied"]) == (
        program_id,
        percent,
        False,
    )


def test_members_apply_once(shopper, api, program):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11")
    program_id = program()
    response = apply(api, ann, program_id)
    assert response.status_code == 201 and response.get_json()["application"]["state"] == "applied"
    assert apply(api, ann, program_id).status_code == 409
    assert api("GET", "/ctrl-f", ann).get_json()["programs"][0]["applied"] is True


def test_a_cancelled_member_cannot_apply(shopper, api, program):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11")
    ann.member.state = "cancelled"
    db.session.commit()
    response = apply(api, ann, program())
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "id_not_active"


def test_a_test_of_another_shop_is_not_found(shopper, api, program):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11")
    assert apply(api, ann, program("eu")).status_code == 404


def test_a_closed_test_takes_no_applications(shopper, api, program):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort="2025-11")
    response = apply(api, ann, program(applications_close_on=store_today() - timedelta(days=1)))
    assert response.status_code == 409


@pytest.mark.parametrize(
    ("cohort", "program_percent", "code_percent"),
    [
        pytest.param("2025-11", None, Decimal("40"), id="2025-11: 40% by default"),
        pytest.param(
            "2025-11", Decimal("25"), Decimal("25"), id="2025-11: the test may offer less"
        ),
        pytest.param("legacy", None, Decimal("50"), id="legacy: 50%"),
        pytest.param("legacy", Decimal("25"), Decimal("50"), id="legacy: never below 50%"),
    ],
)
def test_selected_members_get_a_single_use_code(
    shopper, api, program, cohort, program_percent, code_percent
):  # type: ignore[no-untyped-def]
    ann = shopper("ann@example.com", cohort=cohort)
    program_id = program(discount_percent=program_percent)
    application_id = apply(api, ann, program_id).get_json()["application"]["id"]
    ctrlf.select_member(shop("us"), application_id, "staff:1")
    ctrlf.select_member(shop("us"), application_id, "staff:1")  # a second click changes nothing
    db.session.expire_all()
    application = db.session.get(CtrlFApplication, application_id)
    redemptions = (
        db.session.execute(select(Redemption).where(Redemption.purpose == "ctrl_f")).scalars().all()
    )
    assert application.state == "selected" and [r.id for r in redemptions] == [
        application.redemption_id
    ]
    assert (redemptions[0].kind, redemptions[0].percentage, redemptions[0].customer_id) == (
        "percentage",
        code_percent,
        str(ann.customer_id),
    )


def test_the_merchant_selects_no_more_than_the_seats(shopper, api, program):  # type: ignore[no-untyped-def]
    program_id = program(seats=1)
    ids = [
        apply(api, shopper(f"{name}@example.com", cohort="2025-11"), program_id).get_json()[
            "application"
        ]["id"]
        for name in ("ann", "bob")
    ]
    ctrlf.select_member(shop("us"), ids[0], "staff:1")
    with pytest.raises(ctrlf.SelectionRefused):
        ctrlf.select_member(shop("us"), ids[1], "staff:1")
    ctrlf.reject(shop("us"), ids[1], "staff:1")


def test_missing_feedback_is_flagged_once_after_the_due_day(shopper, api, program):  # type: ignore[no-untyped-def]
    due = store_today() + timedelta(days=30)
    program_id = program(feedback_due_on=due)
    ann, bob = (shopper(f"{n}@example.com", cohort="2025-11") for n in ("ann", "bob"))
    ids = [apply(api, p, program_id).get_json()["application"]["id"] for p in (ann, bob)]
    for application_id in ids:
        ctrlf.select_member(shop("us"), application_id, "staff:1")
    ctrlf.record_feedback(shop("us"), ids[1], "Works with my dock.", "staff:1")
    assert ctrlf.flag_missing_feedback(today=due) == 0
    assert ctrlf.flag_missing_feedback(today=due + timedelta(days=1)) == 1
    assert ctrlf.flag_missing_feedback(today=due + timedelta(days=2)) == 0
    flagged = (
        db.session.execute(
            select(AuditLog.subject_id).where(AuditLog.action == "ctrl_f.feedback_missing")
        )
        .scalars()
        .all()
    )
    assert flagged == [str(ids[0])]
    assert [a.id for a in ctrlf.overdue_feedback(shop("us"), due + timedelta(days=1))] == [ids[0]]


def test_a_selected_tester_sends_feedback_from_the_storefront(shopper, api, program):  # type: ignore[no-untyped-def]
    program_id = program(applications_close_on=store_today() + timedelta(days=1))
    ann = shopper("ann@example.com", cohort="2025-11")
    application_id = apply(api, ann, program_id).get_json()["application"]["id"]
    early = api(
        "POST",
        f"/ctrl-f/applications/{application_id}/feedback",
        ann,
        json={"feedback": "Too soon."},
    )
    assert early.status_code == 409  # not selected yet
    ctrlf.select_member(shop("us"), application_id, "staff:1")
    listed = api("GET", "/ctrl-f", ann).get_json()["programs"]
    assert [
        (p["id"], p["application"]["state"], p["application"]["feedback_sent"]) for p in listed
    ] == [(program_id, "selected", False)]
    sent = api(
        "POST",
        f"/ctrl-f/applications/{application_id}/feedback",
        ann,
        json={"feedback": "Instant switching."},
    )
    assert sent.status_code == 200 and sent.get_json()["application"]["feedback_sent"] is True
    db.session.expire_all()
    stored = db.session.get(CtrlFApplication, application_id)
    assert stored.feedback == "Instant switching." and stored.feedback_submitted_at is not None
    assert ctrlf.overdue_feedback(shop("us"), store_today() + timedelta(days=400)) == []


def test_feedback_after_applications_close_still_lists_the_test(shopper, api, program):  # type: ignore[no-untyped-def]
    program_id = program()
    ann = shopper("ann@example.com", cohort="2025-11")
    application_id = apply(api, ann, program_id).get_json()["application"]["id"]
    ctrlf.select_member(shop("us"), application_id, "staff:1")
    db.session.get(CtrlFProgram, program_id).applications_close_on = store_today() - timedelta(
        days=1
    )
    db.session.commit()
    assert [p["id"] for p in api("GET", "/ctrl-f", ann).get_json()["programs"]] == [program_id]
    assert (
        api("GET", "/ctrl-f", shopper("bob@example.com", cohort="2025-11")).get_json()["programs"]
        == []
    )


def test_only_the_tester_sends_their_feedback(shopper, api, program):  # type: ignore[no-untyped-def]
    program_id = program()
    ann, bob = (shopper(f"{n}@example.com", cohort="2025-11") for n in ("ann", "bob"))
    application_id = apply(api, ann, program_id).get_json()["application"]["id"]
    ctrlf.select_member(shop("us"), application_id, "staff:1")
    stolen = api(
        "POST", f"/ctrl-f/applications/{application_id}/feedback", bob, json={"feedback": "x"}
    )
    assert stolen.status_code == 404
    empty = api(
        "POST", f"/ctrl-f/applications/{application_id}/feedback", ann, json={"feedback": " "}
    )
    assert empty.status_code == 400
