"""Staff access per store (regional operators): who may see and change this shop."""

from __future__ import annotations

from flask import Response, request

from plugin.admin import bp
from plugin.admin.context import admin, app_home, page_url
from plugin.admin.i18n import _
from plugin.admin.pages import ask_to_confirm, confirmed, redirect_to, render
from plugin.extensions import db
from plugin.services import staff as staff_service


def _page(status: int = 200, error: str | None = None) -> Response:
    ctx = admin()
    return render(
        "admin/staff.html", status=status, title="Staff access",
        grants=staff_service.grants_of_shop(ctx.shop.id), roles=staff_service.ROLES, error=error,
    )


@bp.get("/staff")
@app_home
def staff() -> Response:
    return _page()


def _refuse_unless_manager() -> Response | None:
    if not admin().can_manage_grants:
        return _page(403, "Only an owner of this store's app may change who has access.")
    return None


@bp.post("/staff")
@app_home
def staff_grant() -> Response:
    ctx = admin()
    refused = _refuse_unless_manager()
    if refused is not None:
        return refused
    try:
        staff_service.add_grant(
            ctx.shop, actor_user=ctx.user_id, user_id=request.form.get("user_id", ""),
            role=request.form.get("role", "operator"), email=request.form.get("email"), actor=ctx.actor,
        )
    except staff_service.StaffError as exc:
        db.session.rollback()
        return _page(422, str(exc))
    db.session.commit()
    return redirect_to("admin.staff", "granted")


@bp.post("/staff/<int:grant_id>/delete")
@app_home
def staff_revoke(grant_id: int) -> Response:
    ctx = admin()
    refused = _refuse_unless_manager()
    if refused is not None:
        return refused
    grant = next((g for g in staff_service.grants_of_shop(ctx.shop.id) if g.id == grant_id), None)
    if grant is not None and not confirmed() and not staff_service.removal_refused(ctx.shop, grant):
        who = getattr(grant, "name", None) or grant.email or _("This staff member")
        return ask_to_confirm(
            _("Remove access for {who}?", who=who),
            [_("{who} can no longer open this store's app.", who=who),
             _("The store owner always keeps access.")],
            _("Remove access"), back=page_url("admin.staff"),
        )
    try:
        staff_service.remove_grant(ctx.shop, grant_id, actor=ctx.actor)
    except staff_service.StaffError as exc:
        db.session.rollback()
        return _page(422, str(exc))
    db.session.commit()
    return redirect_to("admin.staff", "removed")
