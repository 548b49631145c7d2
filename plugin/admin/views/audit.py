"""The audit log of the shop: every merchant action, who, what, before, after."""

from __future__ import annotations

from flask import Response, request

from plugin.admin.blueprint import bp
from plugin.admin.context import admin, app_home
from plugin.admin.pages import render, requested_page
from plugin.reports.queries.audit import audit_rows


@bp.get("/audit")
@app_home
def audit() -> Response:
    subject_type = (request.args.get("type") or "").strip() or None
    page = requested_page(100)
    rows, has_next = page.rows(
        audit_rows(admin().shop.id, subject_type=subject_type, limit=page.fetch, offset=page.offset)
    )
    return render(
        "admin/audit.html",
        title="Audit log",
        rows=rows,
        subject_type=subject_type,
        page=page,
        has_next=has_next,
    )
