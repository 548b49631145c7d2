"""Import of the old program's members (email, registered_at, shop, points).

Each row is its own unit of work: a bad row is reported with its line number and skipped, the
rest imported. The opening balance is a ledger entry whose cause names the import row's member
and shop, so importing the same file twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from plugin import clock
from plugin.extensions import db
from plugin.models import ImportRun
from plugin.services import ledger
from plugin.services.members import import_member, normalize_email
from plugin.services.shops import find_shop

COLUMNS = ("email", "registered_at", "shop", "points")


class RowError(ValueError):
    pass


def _registered_at(raw: str, tz: ZoneInfo) -> tuple[datetime, date]:
    """The registration instant and day (POLICY.md 1, 2). A time with an offset is read with its
    offset, then its day is the importing store's; a date, or a time without an offset, is the
    importing store's own local day (and time)."""
    raw = (raw or "").strip()
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw)
            return datetime.combine(day, time(12), tzinfo=tz).astimezone(UTC), day
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        raise RowError(f"registered_at {raw!r} is not a date (YYYY-MM-DD)") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(UTC), clock.local_day(parsed, tz)


def import_row(row: dict[str, Any]) -> None:
    missing = [c for c in COLUMNS if c not in row]
    if missing:
        raise RowError(f"missing column(s): {', '.join(missing)}")
    email = (row.get("email") or "").strip()
    if normalize_email(email) is None:
        raise RowError(f"{email!r} is not an email address")
    shop = find_shop(row.get("shop") or "")
    if shop is None:
        raise RowError(f"unknown shop {row.get('shop')!r}")
    registered_at, registered_on = _registered_at(row.get("registered_at") or "", clock.shop_zone(shop))
    if registered_at > clock.now():
        raise RowError("registered_at is in the future")
    try:
        points = int((row.get("points") or "0").strip() or 0)
    except ValueError as exc:
        raise RowError(f"points {row.get('points')!r} is not a whole number") from exc
    if points < 0:
        raise RowError("points cannot be negative")
    member = import_member(email, registered_at, shop=shop, registered_on=registered_on)
    if member is None:
        raise RowError("could not create the TESmart ID")
    ledger.ensure_wallet(shop.id, member.id)
    if points:
        ledger.post_entry(
            shop_id=shop.id,
            member_id=member.id,
            delta=points,
            kind="import",
            cause_key=f"import:{member.id}",
            note="opening balance from the old program",
            actor="import",
            at=registered_at,
        )


def import_members(
    rows: Iterable[dict[str, Any]],
    *,
    filename: str,
    actor: str,
    progress: Callable[[int], Any] | None = None,
    shop_id: int | None = None,
) -> ImportRun:
    rows = list(rows)
    run = ImportRun(filename=filename, actor=actor, total_rows=len(rows), shop_id=shop_id, errors=[])
    db.session.add(run)
    db.session.commit()
    errors: list[dict[str, Any]] = []
    imported = 0
    for line, row in enumerate(rows, start=2):  # line 1 is the header
        try:
            with db.session.begin_nested():
                import_row(row)
            db.session.commit()
            imported += 1
        except (RowError, ValueError) as exc:
            db.session.rollback()
            errors.append({"line": line, "error": str(exc)})
        if progress is not None:
            progress(1)
        if line % 200 == 0:
            run.imported_rows, run.errors = imported, list(errors)
            db.session.commit()
    run.imported_rows = imported
    run.errors = errors
    run.state = "done"
    run.finished_at = clock.now()
    db.session.commit()
    return run
