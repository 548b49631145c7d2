"""Members: search, a member's page, manual adjustment, activation, cancellation, data export.

A member (TESmart ID) is one across the four stores; a shop's admin shows a member only when the
shop knows them (a customer or a wallet there), and shows wallets only of the stores the staff
member may see.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, request
from sqlalchemy import func, select

from plugin import clock, ledger
from plugin.accounts import cohort_of, id_status
from plugin.admin.blueprint import bp
from plugin.admin.context import admin, app_home, page_url
from plugin.admin.i18n import _, format_points, format_signed
from plugin.admin.pages import (
    ask_to_confirm,
    confirmed,
    form_int,
    redirect_to,
    render,
    requested_page,
    require,
)
from plugin.database import audit
from plugin.extensions import db
from plugin.members import membership
from plugin.members.compliance import member_record
from plugin.models import (
    CtrlFApplication,
    CtrlFProgram,
    Device,
    Member,
    PointEntry,
    Redemption,
    Referral,
    ReturnRequest,
    Shop,
    ShopCustomer,
    TradeIn,
    WarrantyClaim,
)
from plugin.points.adjustments import (
    AdjustmentError,
    ConfirmationNeeded,
    activate_member,
    adjust_points,
    new_adjustment_id,
)
from plugin.program.entries import EntryKind
from plugin.program.membership import FORFEITED_PURPOSES, points_forfeited
from plugin.reports.queries.audit import audit_rows
from plugin.reports.queries.members import (
    ledger_of,
    member_customers,
    member_of_shop,
    search_members,
    wallets_of,
)
from plugin.reports.queries.shared import rows_of
from plugin.rewards.redemptions import LIVE_STATES
from plugin.shops.settings import program_settings


@bp.get("/members")
@app_home
def members() -> Response:
    query = (request.args.get("q") or "").strip()[:200]
    page = requested_page(100)
    rows, has_next = page.rows(
        search_members(admin().shop.id, query, limit=page.fetch, offset=page.offset)
    )
    return render(
        "admin/members.html", title="Members", rows=rows, query=query, page=page, has_next=has_next
    )


def _member(member_id: int) -> Member:
    return require(member_of_shop(admin().shop.id, member_id))


def _member_page(
    member: Member,
    *,
    status: int = 200,
    error: str | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    ctx = admin()
    shop = ctx.shop
    cohort = cohort_of(member, program_settings(shop).cutoffs)
    visible = {shop.id}  # another store's wallet is that store's data, not this admin's
    entries, entry_count = ledger_of(shop.id, member.id)
    rows = rows_of
    balance = ledger.balance(shop.id, member.id)
    extra: dict[str, Any] = {}
    entry_id = request.args.get("entry", type=int)
    if request.args.get("done") == "adjusted" and entry_id:
        entry = db.session.execute(
            select(PointEntry).where(
                PointEntry.shop_id == shop.id,
                PointEntry.member_id == member.id,
                PointEntry.id == entry_id,
                PointEntry.kind == EntryKind.ADJUSTMENT.value,
            )
        ).scalar_one_or_none()
        if entry is not None:  # the banner states what was done, read back from the ledger
            extra["notice"] = _(
                "Points adjusted by {points}. New balance: {balance} points.",
                points=format_signed(entry.delta),
                balance=format_points(balance),
            )
    return render(
        "admin/member.html",
        status=status,
        title=member.email or _("Member {id} (redacted)", id=member.id),
        member=member,
        status_text=id_status(member),
        cohort=cohort.value if cohort else None,
        customers=member_customers(shop.id, member.id),
        wallets=wallets_of(member.id, visible),
        entries=entries,
        entry_count=entry_count,
        devices=rows(Device, shop.id, Device.member_id == member.id),
        redemptions=rows(Redemption, shop.id, Redemption.member_id == member.id),
        referrals=rows(Referral, shop.id, Referral.referrer_member_id == member.id),
        trade_ins=rows(TradeIn, shop.id, TradeIn.member_id == member.id),
        returns=rows(ReturnRequest, shop.id, ReturnRequest.member_id == member.id),
        claims=rows(WarrantyClaim, shop.id, WarrantyClaim.member_id == member.id),
        applications=rows(CtrlFApplication, shop.id, CtrlFApplication.member_id == member.id),
        history=audit_rows(shop.id, subject_type="member", subject_id=str(member.id), limit=50),
        adjustment_id=new_adjustment_id(),
        can_cancel=True,
        error=error,
        errors=errors or {},
        form=request.form if request.method == "POST" else {},
        balance=balance,
        friend_names=_friend_names(
            shop.id, rows(Referral, shop.id, Referral.referrer_member_id == member.id)
        ),
        program_titles=dict(
            db.session.execute(
                select(CtrlFProgram.id, CtrlFProgram.title).where(CtrlFProgram.shop_id == shop.id)
            )
            .tuples()
            .all()
        ),
        end_lines=end_consequences(shop, member, "cancel") if member.state == "open" else [],
        threshold=program_settings(shop).adjustment_confirm_threshold,
        **extra,
    )


def _friend_names(shop_id: int, referrals: list[Referral]) -> dict[int, str]:
    """Friends by name or email, never by a customer id."""
    ids = {r.friend_customer_id for r in referrals if getattr(r, "friend_customer_id", None)}
    customers = (
        {
            c.customer_id: c
            for c in db.session.execute(
                select(ShopCustomer).where(
                    ShopCustomer.shop_id == shop_id, ShopCustomer.customer_id.in_(ids)
                )
            ).scalars()
        }
        if ids
        else {}
    )
    names: dict[int, str] = {}
    for r in referrals:
        customer = customers.get(getattr(r, "friend_customer_id", None) or "")
        full = " ".join(
            x
            for x in ((customer.first_name or "", customer.last_name or "") if customer else ())
            if x
        )
        email = getattr(r, "friend_email", None) or (customer.email if customer else None)
        if full or email:
            names[r.id] = f"{full} <{email}>" if full and email else (full or email or "")
    return names


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
        return _member_page(
            found,
            status=422,
            errors={"points": _("Enter a whole number of points (negative to deduct).")},
        )
    if not (request.form.get("reason") or "").strip():
        return _member_page(
            found, status=422, errors={"reason": _("Say why: the reason is shown in the ledger.")}
        )
    try:
        entry = adjust_points(
            ctx.shop,
            found,
            delta=delta,
            reason=request.form.get("reason", ""),
            actor=ctx.actor,
            adjustment_id=request.form.get("adjustment_id") or None,
            confirmed=confirmed(),
        )
    except ConfirmationNeeded as exc:
        return ask_to_confirm(
            _("Adjust {points} points?", points=format_signed(exc.delta)),
            [
                _(
                    "Current balance in {store}: {points} points.",
                    store=ctx.shop.name or ctx.shop.domain,
                    points=format_points(exc.balance),
                ),
                _(
                    "Balance after the adjustment: {points} points.",
                    points=format_points(exc.after),
                ),
                _(
                    "This is more than {points} points, the limit above which an adjustment is "
                    "confirmed.",
                    points=format_points(exc.threshold),
                ),
                _("Reason: {reason}", reason=request.form.get("reason", "").strip()),
            ],
            _("Adjust by {points} points", points=format_signed(exc.delta)),
            back=page_url("admin.member", member_id=found.id),
            tone="warning",
        )
    except AdjustmentError as exc:
        return _member_page(found, status=422, error=str(exc))
    return redirect_to("admin.member", "adjusted", member_id=found.id, entry=entry.id)


@bp.post("/members/<int:member_id>/activate")
@app_home
def member_activate(member_id: int) -> Response:
    ctx = admin()
    found = _member(member_id)
    try:
        changed = activate_member(ctx.shop, found, actor=ctx.actor)
    except AdjustmentError as exc:
        return _member_page(found, status=422, error=str(exc))
    return redirect_to(
        "admin.member", "activated" if changed else "already_active", member_id=found.id
    )


def end_consequences(shop: Shop, member: Member, action: str) -> list[str]:
    """What ending the membership takes away, counted now (POLICY.md section 2's rule)."""
    points = points_forfeited(ledger.balance(shop.id, member.id))
    codes = db.session.execute(
        select(func.count())
        .select_from(Redemption)
        .where(
            Redemption.shop_id == shop.id,
            Redemption.member_id == member.id,
            Redemption.state.in_(LIVE_STATES),
            Redemption.used_at.is_(None),
            Redemption.purpose.in_(FORFEITED_PURPOSES),
        )
    ).scalar_one()
    lines = [
        _(
            "{points} points in {store} are forfeited.",
            points=format_points(points),
            store=shop.name or shop.domain,
        ),
        _("{count} unused reward codes are disabled.", count=format_points(codes)),
        _("The TESmart ID is closed in all four stores. No compensation is due."),
    ]
    if action == "revoke":
        lines.append(_("It is recorded as a revocation for fraud or abuse."))
    return lines


@bp.post("/members/<int:member_id>/end")
@app_home
def member_end(member_id: int) -> Response:
    """Cancel on the member's request, or revoke for fraud or abuse, in this shop; confirmed
    first."""
    ctx = admin()
    found = _member(member_id)
    action = "revoke" if request.form.get("action") == "revoke" else "cancel"
    end = membership.revoke_membership if action == "revoke" else membership.cancel_membership
    if not (request.form.get("reason") or "").strip():
        return _member_page(found, status=422, errors={"reason": _("Say why the membership ends.")})
    if not confirmed():
        return ask_to_confirm(
            _("Revoke this membership?") if action == "revoke" else _("Cancel this membership?"),
            end_consequences(ctx.shop, found, action),
            _("Revoke membership") if action == "revoke" else _("Cancel membership"),
            back=page_url("admin.member", member_id=found.id),
        )
    try:
        end(ctx.shop, found, ctx.actor, request.form.get("reason", ""))
    except ValueError as exc:
        return _member_page(found, status=422, error=str(exc))
    return redirect_to(
        "admin.member", "revoked" if action == "revoke" else "cancelled", member_id=found.id
    )


@bp.get("/members/<int:member_id>/export.json")
@app_home
def member_export(member_id: int) -> Response:
    """The data-request export (POLICY.md 8): everything this shop holds on the member."""
    ctx = admin()
    found = _member(member_id)
    customers = member_customers(ctx.shop.id, found.id)
    record = member_record(ctx.shop, found, customers[0] if customers else None)
    audit.note(
        shop_id=ctx.shop.id,
        actor=ctx.actor,
        action="member.export",
        subject_type="member",
        subject_id=found.id,
        before=None,
        after={"at": clock.now()},
    )
    response = Response(json.dumps(record, indent=2, default=str), mimetype="application/json")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="member-{found.id}-{ctx.shop.handle}.json"'
    )
    return response
