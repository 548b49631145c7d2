"""Import of the old program's members (email, registered_at, shop, points).

Each row is its own unit of work (a savepoint): a bad row is reported with its line number and
skipped, the rest imported; rows commit in batches with the run's position, which an interrupted
import resumes from. The opening balance is a ledger entry whose cause names the import row's member
and shop, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from plugin import clock
from plugin.extensions import db
from plugin.members.accounts import import_member, normalize_email
from plugin.models import ImportRun
from plugin.points import ledger
from plugin.program.entries import EntryKind
from plugin.shops.registry import find_shop

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


def import_row(row: dict[str, Any], shops: dict[str, Any] | None = None) -> None:
    """One row; ``shops`` caches the shops already looked up by this import (one query each)."""
    missing = [c for c in COLUMNS if c not in row]
    if missing:
        raise RowError(f"missing column(s): {', '.join(missing)}")
    email = (row.get("email") or "").strip()
    if normalize_email(email) is None:
        raise RowError(f"{email!r} is not an email address")
    domain = row.get("shop") or ""
    if shops is None:
        shop = find_shop(domain)
    else:
        if domain not in shops:
            shops[domain] = find_shop(domain)
        shop = shops[domain]
    if shop is None:
        raise RowError(f"unknown shop {row.get('shop')!r}")
    registered_at, registered_on = _registered_at(
        row.get("registered_at") or "", clock.shop_zone(shop)
    )
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
            kind=EntryKind.IMPORT,
            cause_key=f"import:{member.id}",
            note="opening balance from the old program",
            actor="import",
            at=registered_at,
        )


CHECKPOINT_EVERY = 200


def fingerprint(rows: list[dict[str, Any]]) -> str:
    """The SHA-256 of the rows' content: the same file imported again resumes its unfinished run."""
    digest = hashlib.sha256()
    for row in rows:
        digest.update(json.dumps(row, sort_keys=True, default=str).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def unfinished_run(print_: str, shop_id: int | None) -> ImportRun | None:
    same_shop = ImportRun.shop_id.is_(None) if shop_id is None else ImportRun.shop_id == shop_id
    query = (
        select(ImportRun)
        .where(ImportRun.fingerprint == print_, ImportRun.state == "running", same_shop)
        .order_by(ImportRun.id.desc())
        .limit(1)
    )
    return db.session.execute(query).scalar_one_or_none()


def import_members(
    rows: Iterable[dict[str, Any]],
    *,
    filename: str,
    actor: str,
    progress: Callable[[int], Any] | None = None,
    shop_id: int | None = None,
) -> ImportRun:
    """Import ``rows``; an unfinished run of the same rows (interrupted, killed) continues from the
    position it last recorded. Each row has its savepoint; every ``CHECKPOINT_EVERY`` rows commit
    together with the run's position, so the position is exact (and were a row applied again, it
    would change nothing: the member and the opening balance are found by their keys)."""
    rows = list(rows)
    print_ = fingerprint(rows)
    run = unfinished_run(print_, shop_id)
    if run is None:
        run = ImportRun(
            filename=filename,
            actor=actor,
            total_rows=len(rows),
            shop_id=shop_id,
            errors=[],
            fingerprint=print_,
            position=0,
        )
        db.session.add(run)
        db.session.commit()
    start = run.position or 0
    errors: list[dict[str, Any]] = list(run.errors or [])
    imported = run.imported_rows or 0
    shops: dict[str, Any] = {}
    if progress is not None and start:
        progress(start)
    for index in range(start, len(rows)):
        line = index + 2  # line 1 is the header
        if index == start or index % CHECKPOINT_EVERY == 0:
            _open_batch(run)
        try:
            with db.session.begin_nested():  # a bad row rolls back alone
                import_row(rows[index], shops)
            imported += 1
        except (RowError, ValueError) as exc:
            errors.append({"line": line, "error": str(exc)})
        if progress is not None:
            progress(1)
        if (index + 1) % CHECKPOINT_EVERY == 0:
            run.imported_rows, run.errors, run.position = imported, list(errors), index + 1
            db.session.commit()
    run.imported_rows = imported
    run.errors = errors
    run.position = len(rows)
    run.state = "done"
    run.finished_at = clock.now()
    db.session.commit()
    return run


def _open_batch(run: ImportRun) -> None:
    """Start the batch's transaction with a write, so that the rows' savepoints nest inside it.

    SQLite's Python driver begins a transaction only before a write: a SAVEPOINT outside one opens
    a transaction of its own, which its RELEASE then commits, so each row would be committed alone,
    ahead of the batch's position. On PostgreSQL the statement changes nothing.
    """
    db.session.execute(
        update(ImportRun).where(ImportRun.id == run.id).values(position=ImportRun.position)
    )
