"""Staff access per store (regional operators): who may see and change this shop."""

from __future__ import annotations

from flask import Response, request

from plugin.admin import bp
from plugin.admin.context import admin, app_home
from plugin.admin.pages import redirect_to, render
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
    try:
        staff_service.remove_grant(ctx.shop, grant_id, actor=ctx.actor)
    except staff_service.StaffError as exc:
        db.session.rollback()
        return _page(422, str(exc))
    db.session.commit()
    return redirect_to("admin.staff", "removed")
