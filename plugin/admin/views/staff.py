"""Staff access per store: who may see and change this shop.

Staff are chosen by name from those who have opened the app. The shop is open to all its staff
until an owner limits access; the store owner always keeps it.
"""

from __future__ import annotations

from flask import Response, request

from plugin.admin.blueprint import bp
from plugin.admin.context import admin, app_home, page_url
from plugin.admin.i18n import _
from plugin.admin.pages import ask_to_confirm, confirmed, redirect_to, render
from plugin.members import staff as staff_service


def _page(status: int = 200, error: str | None = None) -> Response:
    ctx = admin()
    grants = staff_service.grants_of_shop(ctx.shop.id)
    members = staff_service.staff_of_shop(ctx.shop.id)
    by_user = {m.user_id: m for m in members}
    granted = {g.user_id for g in grants}
    return render(
        "admin/staff.html",
        status=status,
        title=_("Staff access"),
        grants=grants,
        members=members,
        by_user=by_user,
        roles=staff_service.ROLES,
        error=error,
        restricted=staff_service.is_restricted(ctx.shop.id),
        grantable=[m for m in members if m.user_id not in granted and not m.account_owner],
        who_grants=staff_service.who_grants(ctx.shop),
        display_name=staff_service.display_name,
    )


@bp.get("/staff")
@app_home
def staff() -> Response:
    return _page()


def _refuse_unless_manager() -> Response | None:
    if not admin().can_manage_grants:
        return _page(403, _("Only an owner of this store's app may change who has access."))
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
            ctx.shop,
            actor_user=ctx.user_id,
            user_id=request.form.get("user_id", ""),
            role=request.form.get("role", "operator"),
            actor=ctx.actor,
        )
    except staff_service.StaffError as exc:
        return _page(422, _(str(exc)))
    return redirect_to("admin.staff", "granted")


@bp.post("/staff/restrict")
@app_home
def staff_restrict() -> Response:
    """Limit access to the ticked staff (and the author, and the store owner)."""
    ctx = admin()
    refused = _refuse_unless_manager()
    if refused is not None:
        return refused
    keep = [u for u in request.form.getlist("keep") if u]
    if staff_service.is_restricted(ctx.shop.id):
        return _page(422, _("Access is already limited to the people listed."))
    known = {m.user_id: m for m in staff_service.staff_of_shop(ctx.shop.id)}
    if any(u not in known for u in keep):
        return _page(422, _("Choose staff members who have opened the app."))
    losing = [
        m for u, m in known.items() if u not in keep and u != ctx.user_id and not m.account_owner
    ]
    if not confirmed():
        names = ", ".join(staff_service.display_name(m, m.user_id) for m in losing)
        consequences = [
            _("Only the people listed on this page can open this store's app."),
            _("The store owner always keeps access."),
        ]
        if names:
            consequences.insert(0, _("{names} can no longer open this store's app.", names=names))
        return ask_to_confirm(
            _("Limit access to the people you chose?"),
            consequences,
            _("Limit access"),
            back=page_url("admin.staff"),
        )
    try:
        staff_service.restrict(ctx.shop, actor_user=ctx.user_id, keep=keep, actor=ctx.actor)
    except staff_service.StaffError as exc:
        return _page(422, _(str(exc)))
    return redirect_to("admin.staff", "restricted")


@bp.post("/staff/open")
@app_home
def staff_open() -> Response:
    """Open the app to every staff member of the store again."""
    ctx = admin()
    refused = _refuse_unless_manager()
    if refused is not None:
        return refused
    staff_service.open_to_all(ctx.shop, actor=ctx.actor)
    return redirect_to("admin.staff", "opened")


@bp.post("/staff/<int:grant_id>/delete")
@app_home
def staff_revoke(grant_id: int) -> Response:
    ctx = admin()
    refused = _refuse_unless_manager()
    if refused is not None:
        return refused
    grant = next((g for g in staff_service.grants_of_shop(ctx.shop.id) if g.id == grant_id), None)
    if grant is not None and not confirmed() and not staff_service.removal_refused(ctx.shop, grant):
        who = staff_service.display_name(
            staff_service.member_of(grant.user_id, ctx.shop.id), grant.user_id
        )
        return ask_to_confirm(
            _("Remove access for {who}?", who=who),
            [
                _("{who} can no longer open this store's app.", who=who),
                _("The store owner always keeps access."),
            ],
            _("Remove access"),
            back=page_url("admin.staff"),
        )
    try:
        staff_service.remove_grant(ctx.shop, grant_id, actor=ctx.actor)
    except staff_service.StaffError as exc:
        return _page(422, _(str(exc)))
    return redirect_to("admin.staff", "removed")
