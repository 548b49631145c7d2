"""Exports (CSV, streamed, any size) and the import of old-program members."""

from __future__ import annotations

import csv
import io

from flask import Response, request, stream_with_context
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from plugin import clock
from plugin.admin.blueprint import bp
from plugin.admin.context import admin, app_home
from plugin.admin.i18n import _
from plugin.admin.pages import redirect_to, render, require
from plugin.database import audit
from plugin.extensions import db
from plugin.members.importer import COLUMNS, import_members
from plugin.models import ImportRun
from plugin.models.types import is_row_id
from plugin.reports import exports
from plugin.reports.queries.members import member_of_shop
from plugin.shops.registry import normalize_domain

MAX_IMPORT_BYTES = 20 * 1024 * 1024
# The whole multipart request: the file, its headers and the form's token.
MAX_IMPORT_REQUEST_BYTES = MAX_IMPORT_BYTES + 64 * 1024


@bp.before_request
def _import_may_be_large() -> None:
    # The app-wide request limit is 1 MB (webhooks); the import page promises 20 MB.
    if request.endpoint == "admin.import_upload":
        request.max_content_length = MAX_IMPORT_REQUEST_BYTES


def _runs() -> list[ImportRun]:
    return list(
        db.session.execute(
            select(ImportRun)
            .where(ImportRun.shop_id == admin().shop.id)
            .order_by(ImportRun.id.desc())
            .limit(20)
        ).scalars()
    )


@bp.get("/data")
@app_home
def data() -> Response:
    return _page()


def _page(error: str | None = None, status: int = 200) -> Response:
    return render(
        "admin/data.html",
        status=status,
        title="Export and import",
        runs=_runs(),
        exports=exports.EXPORTS,
        columns=COLUMNS,
        error=error,
    )


@bp.get("/exports/<name>.csv")
@app_home
def export(name: str) -> Response:
    ctx = admin()
    require(name in exports.EXPORTS or None)
    member_id = request.args.get("member", type=int)
    if member_id is not None and not is_row_id(member_id):  # ?member=2**70 is no member
        require(None)
    if member_id is not None:
        require(name == "ledger" and member_of_shop(ctx.shop.id, member_id))
    audit.note(
        shop_id=ctx.shop.id,
        actor=ctx.actor,
        action="export.csv",
        subject_type="export",
        subject_id=name,
        after={"member_id": member_id, "at": clock.now()},
    )
    rows = exports.ledger_csv(ctx.shop, member_id) if member_id else exports.export(ctx.shop, name)
    member_part = f"-member-{member_id}" if member_id else ""
    filename = f"{ctx.shop.handle}-{name}{member_part}-{clock.now():%Y%m%d}.csv"
    response = Response(stream_with_context(rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.post("/import")
@app_home
def import_upload() -> Response:
    """Old-program members of this shop: rows naming another shop are refused, blank ones are
    this shop's."""
    ctx = admin()
    try:
        upload = request.files.get("file")
    except RequestEntityTooLarge:
        return _page(error="The file is larger than 20 MB; split it.", status=413)
    if upload is None or not upload.filename:
        return _page(error="Choose a CSV file to import.", status=422)
    raw = upload.read(MAX_IMPORT_BYTES + 1)
    if len(raw) > MAX_IMPORT_BYTES:
        return _page(error="The file is larger than 20 MB; split it.", status=413)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _page(error="The file is not UTF-8 text.", status=422)
    try:
        return _import_rows(ctx, upload.filename, csv.DictReader(io.StringIO(text)))
    except csv.Error as exc:  # a field over the csv module's limit, a NUL byte, a broken quote
        return _page(error=_("The CSV cannot be read: {problem}.", problem=str(exc)), status=422)


def _import_rows(ctx, filename: str, reader: csv.DictReader) -> Response:
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header and c != "shop"]
    if missing:
        return _page(
            error=_(
                "The CSV needs the columns {columns} (missing: {missing}).",
                columns=", ".join(COLUMNS),
                missing=", ".join(missing),
            ),
            status=422,
        )
    rows = []
    for line, row in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "") for k, v in row.items()}
        named = (row.get("shop") or "").strip()
        try:
            other = bool(named) and normalize_domain(named) != ctx.shop.domain
        except ValueError:
            other = True
        if other:
            return _page(
                error=_(
                    "Line {line} names another store ({named}); import each store's members in its "
                    "own admin.",
                    line=line,
                    named=named,
                ),
                status=422,
            )
        row["shop"] = ctx.shop.domain
        rows.append(row)
    run = import_members(rows, filename=filename[:255], actor=ctx.actor, shop_id=ctx.shop.id)
    audit.note(
        shop_id=ctx.shop.id,
        actor=ctx.actor,
        action="members.import",
        subject_type="import_run",
        subject_id=run.id,
        after={"rows": run.total_rows, "imported": run.imported_rows, "errors": len(run.errors)},
    )
    return redirect_to("admin.import_run", "imported", run_id=run.id)


@bp.get("/import/<int:run_id>")
@app_home
def import_run(run_id: int) -> Response:
    run = require(
        db.session.execute(
            select(ImportRun).where(ImportRun.id == run_id, ImportRun.shop_id == admin().shop.id)
        ).scalar_one_or_none()
    )
    return render("admin/import_run.html", title=_("Import #{id}", id=run.id), run=run)
