"""Members: search, a member's page, manual adjustment, activation, cancellation, data export.

A member (TESmart ID) is one across the four stores; a shop's admin shows a member only when the
shop knows them (a customer or a wallet there), and shows wallets only of the stores the staff
member may see.
"""

from __future__ import annotations

import json

from flask import Response, request

from plugin.admin import bp
from plugin.admin.context import admin, app_home
from plugin.admin.pages import form_int, optional_service, redirect_to, render, require
from plugin.models import (
    CtrlFApplication,
    Device,
    Member,
    Redemption,
    Referral,
    ReturnRequest,
    TradeIn,
    WarrantyClaim,
)
from plugin.models.types import utcnow
from plugin.services import admin_queries, audit
from plugin.services.adjustments import (
    AdjustmentError,
    activate_member,
    adjust_points,
    new_adjustment_id,
)
from plugin.services.compliance import member_record
from plugin.services.members import cohort_of, id_status
from plugin.services.shop_settings import program_settings


@bp.get("/members")
@app_home
def members() -> Response:
    query = (request.args.get("q") or "").strip()[:200]
    rows = admin_queries.search_members(admin().shop.id, query, limit=100)
    return render("admin/members.html", title="Members", rows=rows, query=query)


def _member(member_id: int) -> Member:
    return require(admin_queries.member_of_shop(admin().shop.id, member_id))


def _member_page(member: Member, *, status: int = 200, error: str | None = None, errors: dict[str, str] | None = None) -> Response:
    ctx = admin()
    shop = ctx.shop
    cohort = cohort_of(member, program_settings(shop).cutoffs)
    visible = {s.id for s in ctx.shops} | {shop.id}
    entries, entry_count = admin_queries.ledger_of(shop.id, member.id)
    rows = admin_queries.rows_of
    return render(
        "admin/member.html",
        status=status,
        title=member.email or f"Member {member.id} (redacted)",
        member=member,
        status_text=id_status(member),
        cohort=cohort.value if cohort else None,
        customers=admin_queries.member_customers(shop.id, member.id),
        wallets=admin_queries.wallets_of(member.id, visible),
        entries=entries,
        entry_count=entry_count,
        devices=rows(Device, shop.id, Device.member_id == member.id),
        redemptions=rows(Redemption, shop.id, Redemption.member_id == member.id),
        referrals=rows(Referral, shop.id, Referral.referrer_member_id == member.id),
        trade_ins=rows(TradeIn, shop.id, TradeIn.member_id == member.id),
        returns=rows(ReturnRequest, shop.id, ReturnRequest.member_id == member.id),
        claims=rows(WarrantyClaim, shop.id, WarrantyClaim.member_id == member.id),
        applications=rows(CtrlFApplication, shop.id, CtrlFApplication.member_id == member.id),
        history=admin_queries.audit_rows(shop.id, subject_type="member", subject_id=str(member.id), limit=50),
        adjustment_id=new_adjustment_id(),
        can_cancel=optional_service("plugin.services.membership", "cancel_membership") is not None,
        error=error,
        errors=errors or {},
        form=request.form if request.method == "POST" else {},
    )


@bp.get("/members/<int:member_id>")
@app_home
def member(member_id: int) -> Response:
    return _member_page(_member(member_id))


@bp.post("/members/<int:member_id>/adjust")
@app_home
def member_adjust(member_id: int) -> Response:
    ctx = admin()
    found = _member(member_id)
    delta = form_int("points")
    if delta is None:
        return _member_page(found, status=422, errors={"points": "Enter a whole number of points (negative to deduct)."})
    try:
        adjust_points(
            ctx.shop, found, delta=delta, reason=request.form.get("reason", ""), actor=ctx.actor,
            adjustment_id=request.form.get("adjustment_id") or None,
        )
    except AdjustmentError as exc:
        return _member_page(found, status=422, error=str(exc))
    return redirect_to("admin.member", "adjusted", member_id=found.id)


@bp.post("/members/<int:member_id>/activate")
@app_home
def member_activate(member_id: int) -> Response:
    ctx = admin()
    found = _member(member_id)
    try:
        changed = activate_member(ctx.shop, found, actor=ctx.actor)
    except AdjustmentError as exc:
        return _member_page(found, status=422, error=str(exc))
    return redirect_to("admin.member", "activated" if changed else "already_active", member_id=found.id)


@bp.post("/members/<int:member_id>/end")
@app_home
def member_end(member_id: int) -> Response:
    """Cancel on the member's request, or revoke for fraud or abuse (POLICY.md 2), in this shop."""
    ctx = admin()
    found = _member(member_id)
    action = request.form.get("action", "cancel")
    name = "revoke_membership" if action == "revoke" else "cancel_membership"
    end = require(optional_service("plugin.services.membership", name))
    try:
        end(ctx.shop, found, ctx.actor, request.form.get("reason", ""))
    except ValueError as exc:
        return _member_page(found, status=422, error=str(exc))
    return redirect_to("admin.member", "revoked" if action == "revoke" else "cancelled", member_id=found.id)


@bp.get("/members/<int:member_id>/export.json")
@app_home
def member_export(member_id: int) -> Response:
    """The data-request export (POLICY.md 8): everything this shop holds on the member."""
    ctx = admin()
    found = _member(member_id)
    customers = admin_queries.member_customers(ctx.shop.id, found.id)
    record = member_record(ctx.shop, found, customers[0] if customers else None)
    audit.record(
        shop_id=ctx.shop.id, actor=ctx.actor, action="member.export", subject_type="member",
        subject_id=found.id, before=None, after={"at": utcnow()},
    )
    from plugin.extensions import db

    db.session.commit()
    response = Response(json.dumps(record, indent=2, default=str), mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="member-{found.id}-{ctx.shop.handle}.json"'
    return response
