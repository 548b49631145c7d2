"""CTRL F product testing (POLICY.md section 7): applications, selection, codes, feedback.

Activated members apply to an open test with their setup and devices; the merchant selects up to
the test's seats; a selected member gets a single-use percentage code for the test product
(``redemptions.issue_coupon``, once per application), 40% by default and 50% or free for
``legacy`` (``program.benefits.ctrlf.ctrlf_code_percent``). Feedback is due by the test's date;
missing feedback is flagged once by a periodic task (an audit row the merchant sees).

Decisions where the policy is silent:
- A test is open for applications while its state is ``open`` and until ``applications_close_on``
  (that day included).
- The percent a member sees is the one their code would carry: the test's percent, capped at the
  cohort's (floored at 50 for ``legacy``).
- A member cancelled or revoked after applying cannot be selected (benefits end with the ID).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from plugin import clock
from plugin.accounts import cohort_of
from plugin.benefits.devices import store_today
from plugin.database import audit
from plugin.database.rows import lock_shop_row
from plugin.database.transaction import unit_of_work
from plugin.extensions import db
from plugin.models import AuditLog, CtrlFApplication, CtrlFProgram, Member, Shop
from plugin.models.types import is_row_id
from plugin.program.benefits.ctrlf import ctrlf_code_percent, ctrlf_shown_percent, feedback_overdue
from plugin.program.cohorts import Cohort
from plugin.program.errors import Conflict, NotFound
from plugin.reach.notifications import ctrlf_feedback_missing
from plugin.rewards.redemptions import issue_coupon
from plugin.shops.registry import installed_shops
from plugin.shops.settings import program_settings


class ProgramNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No such product test.", code="not_found")


class AlreadyApplied(Conflict):
    def __init__(self) -> None:
        super().__init__("You have already applied for this test.", code="already_applied")


class ApplicationsClosed(Conflict):
    def __init__(self) -> None:
        super().__init__("Applications for this test are closed.", code="applications_closed")


class ApplicationNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No such application.", code="not_found")


class SelectionRefused(Conflict):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)


def _is_open(program: CtrlFProgram, today: date) -> bool:
    return program.state == "open" and today <= program.applications_close_on


def open_programs(shop: Shop, today: date | None = None) -> list[CtrlFProgram]:
    today = today or store_today(shop)
    stmt = (
        select(CtrlFProgram)
        .where(
            CtrlFProgram.shop_id == shop.id,
            CtrlFProgram.state == "open",
            CtrlFProgram.applications_close_on >= today,
        )
        .order_by(CtrlFProgram.applications_close_on, CtrlFProgram.id)
    )
    return list(db.session.execute(stmt).scalars())


def member_percent(shop: Shop, member: Member | None, program: CtrlFProgram) -> Decimal:
    cohort = cohort_of(member, program_settings(shop).cutoffs) if member is not None else None
    return ctrlf_shown_percent(cohort, program.discount_percent)


def programs_view(
    shop: Shop, member: Member | None, today: date | None = None
) -> list[dict[str, Any]]:
    """The open tests, and every test the member applied for (a selected tester sends feedback
    after applications close), each with the member's application."""
    programs = open_programs(shop, today)
    mine: dict[int, CtrlFApplication] = {}
    if member is not None:
        mine = {
            a.program_id: a
            for a in db.session.execute(
                select(CtrlFApplication).where(
                    CtrlFApplication.shop_id == shop.id, CtrlFApplication.member_id == member.id
                )
            ).scalars()
        }
        listed = {p.id for p in programs}
        missing = [pid for pid in mine if pid not in listed]
        if missing:
            programs += list(
                db.session.execute(
                    select(CtrlFProgram).where(
                        CtrlFProgram.shop_id == shop.id, CtrlFProgram.id.in_(missing)
                    )
                ).scalars()
            )
    applied = set(mine)
    return [
        {
            "id": program.id,
            "title": program.title,
            "product_title": program.product_title,
            "discount_percent": format(member_percent(shop, member, program).normalize(), "f"),
            "applies_until": program.applications_close_on.isoformat(),
            "feedback_due_on": program.feedback_due_on.isoformat()
            if program.feedback_due_on
            else None,
            "applied": program.id in applied,
            "application": application_view(mine[program.id]) if program.id in mine else None,
        }
        for program in programs
    ]


def apply(
    shop: Shop,
    member: Member,
    customer_id: str,
    program_id: object,
    *,
    setup: str,
    devices: str,
    today: date | None = None,
) -> CtrlFApplication:
    """POST /proxy/ctrl-f/<id>/applications (activated members only; the view checks); commits."""
    today = today or store_today(shop)
    try:
        with unit_of_work():
            program = _program(shop, program_id)
            if not _is_open(program, today):
                raise ApplicationsClosed()
            exists = db.session.execute(
                select(CtrlFApplication.id).where(
                    CtrlFApplication.program_id == program.id,
                    CtrlFApplication.member_id == member.id,
                )
            ).first()
            if exists is not None:
                raise AlreadyApplied()
            application = CtrlFApplication(
                shop_id=shop.id,
                program_id=program.id,
                member_id=member.id,
                customer_id=customer_id,
                setup=setup,
                devices=devices,
                state="applied",
                created_at=clock.now(),
            )
            db.session.add(application)
    except IntegrityError:
        # UNIQUE(program, member): a concurrent second application ends here.
        raise AlreadyApplied() from None
    return application


def application_view(application: CtrlFApplication) -> dict[str, Any]:
    return {
        "id": application.id,
        "program_id": application.program_id,
        "state": application.state,
        "feedback_sent": application.feedback_submitted_at is not None,
        "created_at": application.created_at.isoformat(),
    }


def member_feedback(
    shop: Shop, member: Member, application_id: object, feedback: str
) -> CtrlFApplication:
    """POST /proxy/ctrl-f/applications/<id>/feedback: the selected tester's own feedback."""
    if not is_row_id(application_id):
        raise ApplicationNotFound()
    owner = db.session.execute(
        select(CtrlFApplication.member_id).where(
            CtrlFApplication.shop_id == shop.id, CtrlFApplication.id == application_id
        )
    ).scalar_one_or_none()
    if owner is None or owner != member.id:
        raise ApplicationNotFound()
    return record_feedback(shop, application_id, feedback, actor=f"member:{member.id}")


# --- the merchant's side -------------------------------------------------------------------------


def select_member(
    shop: Shop, application_id: int, actor: str, percent: Decimal | str | None = None
) -> CtrlFApplication:
    """Select an applicant: a single-use code for the test product, issued once."""
    with unit_of_work():
        application = _lock_application(shop, application_id)
        if application.state == "selected":
            return application
        if application.state != "applied":
            raise SelectionRefused(
                "invalid_transition",
                f"An application that is {application.state} cannot be selected.",
            )
        program = _program(shop, application.program_id)
        taken = db.session.execute(
            select(func.count(CtrlFApplication.id)).where(
                CtrlFApplication.shop_id == shop.id,
                CtrlFApplication.program_id == program.id,
                CtrlFApplication.state == "selected",
            )
        ).scalar()
        if int(taken or 0) >= program.seats:
            raise SelectionRefused("seats_full", "Every seat of this test is taken.")
        member = db.session.get(Member, application.member_id)
        cohort: Cohort | None = (
            cohort_of(member, program_settings(shop).cutoffs) if member else None
        )
        requested = Decimal(str(percent)) if percent is not None else program.discount_percent
        code_percent = ctrlf_code_percent(cohort, requested)
        if member is None or code_percent is None:
            raise SelectionRefused(
                "member_not_active", "The applicant's TESmart ID is no longer active."
            )
        redemption = issue_coupon(
            shop,
            member,
            application.customer_id,
            purpose="ctrl_f",
            title=f"CTRL F: {program.product_title}"[:255],
            kind="percentage",
            percentage=code_percent.quantize(Decimal("0.01")),
            idempotency_key=f"ctrlf:{application.id}",
        )
        application.state = "selected"
        application.redemption_id = redemption.id
        audit.record(
            shop_id=shop.id,
            actor=actor,
            action="ctrl_f.select",
            subject_type="ctrl_f_application",
            subject_id=application.id,
            before={"state": "applied"},
            after={"state": "selected", "percent": code_percent, "redemption_id": redemption.id},
        )
    return application


def reject(shop: Shop, application_id: int, actor: str) -> CtrlFApplication:
    with unit_of_work():
        application = _lock_application(shop, application_id)
        if application.state != "applied":
            raise SelectionRefused(
                "invalid_transition",
                f"An application that is {application.state} cannot be rejected.",
            )
        application.state = "rejected"
        audit.record(
            shop_id=shop.id,
            actor=actor,
            action="ctrl_f.reject",
            subject_type="ctrl_f_application",
            subject_id=application.id,
            before={"state": "applied"},
            after={"state": "rejected"},
        )
    return application


def record_feedback(shop: Shop, application_id: int, feedback: str, actor: str) -> CtrlFApplication:
    """A selected tester's feedback (entered by the merchant or a survey integration)."""
    with unit_of_work():
        application = _lock_application(shop, application_id)
        if application.state != "selected":
            raise SelectionRefused("invalid_transition", "Only selected testers give feedback.")
        application.feedback = feedback
        application.feedback_submitted_at = application.feedback_submitted_at or clock.now()
        program = _program(shop, application.program_id)
        late = feedback_overdue(
            program.feedback_due_on,
            clock.local_day(application.feedback_submitted_at, clock.shop_zone(shop)),
            store_today(shop),
        )
        audit.record(
            shop_id=shop.id,
            actor=actor,
            action="ctrl_f.feedback",
            subject_type="ctrl_f_application",
            subject_id=application.id,
            after={"late": late},
        )
    return application


def overdue_feedback(shop: Shop, today: date | None = None) -> list[CtrlFApplication]:
    """Selected testers whose feedback is missing after its due day, or came in late."""
    today = today or store_today(shop)
    rows = db.session.execute(
        select(CtrlFApplication, CtrlFProgram.feedback_due_on)
        .join(CtrlFProgram, CtrlFProgram.id == CtrlFApplication.program_id)
        .where(CtrlFApplication.shop_id == shop.id, CtrlFApplication.state == "selected")
        .order_by(CtrlFProgram.feedback_due_on, CtrlFApplication.id)
    ).all()
    return [
        application
        for application, due_on in rows
        if feedback_overdue(
            due_on,
            clock.local_day(application.feedback_submitted_at, clock.shop_zone(shop))
            if application.feedback_submitted_at
            else None,
            today,
        )
    ]


def flag_missing_feedback(today: date | None = None) -> int:
    """One audit row per tester the day their feedback becomes overdue (flagged once)."""

    flagged = 0
    for shop in installed_shops():
        with unit_of_work():  # one shop at a time
            for application in overdue_feedback(shop, today or store_today(shop)):
                if application.feedback_submitted_at is not None:
                    continue  # came in late: recorded when it was submitted
                already = db.session.execute(
                    select(AuditLog.id).where(
                        AuditLog.shop_id == shop.id,
                        AuditLog.action == "ctrl_f.feedback_missing",
                        AuditLog.subject_type == "ctrl_f_application",
                        AuditLog.subject_id == str(application.id),
                    )
                ).first()
                if already is None:
                    audit.record(
                        shop_id=shop.id,
                        actor="system",
                        action="ctrl_f.feedback_missing",
                        subject_type="ctrl_f_application",
                        subject_id=application.id,
                        after={"program_id": application.program_id},
                    )

                    ctrlf_feedback_missing(shop, application)
                    flagged += 1
    return flagged


def _program(shop: Shop, program_id: object) -> CtrlFProgram:
    if not is_row_id(program_id):
        raise ProgramNotFound()
    program = db.session.execute(
        select(CtrlFProgram).where(CtrlFProgram.shop_id == shop.id, CtrlFProgram.id == program_id)
    ).scalar_one_or_none()
    if program is None:
        raise ProgramNotFound()
    return program


def _lock_application(shop: Shop, application_id: int) -> CtrlFApplication:
    application = lock_shop_row(CtrlFApplication, shop.id, application_id)
    if application is None:
        raise ApplicationNotFound()
    return application
