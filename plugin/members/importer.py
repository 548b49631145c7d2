"""Import of the old program's members (email, registered_at, shop, points).

Each row is checked on its own: a bad row is reported with its line number and skipped, the rest
imported. The good rows of a batch are then written set-based, a few statements per batch whatever
its size (the members, the wallets, the opening balances, the metafields' outbox items), and commit
with the run's position, which an interrupted import resumes from. The opening balance is a ledger
entry whose cause names the import row's member and shop, so importing the same file twice changes
nothing. ``import_row`` applies one row through the same rules one statement at a time (the demo
data uses it); a batch leaves exactly what its rows imported one by one would.
"""

from __future__ import annotations

import hashlib
import json
import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, Table, bindparam, select, text, update
from sqlalchemy.exc import IntegrityError

from plugin import clock, ledger
from plugin.accounts import import_member, new_referral_code, normalize_email, registration
from plugin.extensions import db
from plugin.models import ImportRun, Member, OutboxItem, PointEntry, Shop, Wallet
from plugin.outbox import EffectKind
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


# Rows per batch: one transaction with the run's position. The batch's statements stay a handful
# whatever its size, so a larger batch costs fewer round trips; a killed import repeats at most one.
CHECKPOINT_EVERY = 2000

OPENING_NOTE = "opening balance from the old program"


@dataclass(slots=True)
class _Good:
    """A row that passed its checks: what the batch writes for it."""

    email: str
    normalized: str
    shop_id: int
    registered_at: datetime
    registered_on: date
    cohort: str
    points: int


class _Checker:
    """The row checks of ``import_row`` (in its order, with its messages), with the shops and the
    cohorts they fix looked up once per import rather than once per row."""

    def __init__(self) -> None:
        self.shops: dict[str, Shop | None] = {}
        self.zones: dict[int, ZoneInfo] = {}
        self.cohorts: dict[tuple[int, date], str] = {}
        self.now = clock.now()

    def check(self, row: dict[str, Any]) -> _Good:
        missing = [c for c in COLUMNS if c not in row]
        if missing:
            raise RowError(f"missing column(s): {', '.join(missing)}")
        email = (row.get("email") or "").strip()
        normalized = normalize_email(email)
        if normalized is None:
            raise RowError(f"{email!r} is not an email address")
        domain = row.get("shop") or ""
        if domain not in self.shops:
            self.shops[domain] = find_shop(domain)
        shop = self.shops[domain]
        if shop is None:
            raise RowError(f"unknown shop {row.get('shop')!r}")
        zone = self.zones.get(shop.id)
        if zone is None:
            zone = self.zones[shop.id] = clock.shop_zone(shop)
        registered_at, registered_on = _registered_at(row.get("registered_at") or "", zone)
        if registered_at > self.now:
            raise RowError("registered_at is in the future")
        try:
            points = int((row.get("points") or "0").strip() or 0)
        except ValueError as exc:
            raise RowError(f"points {row.get('points')!r} is not a whole number") from exc
        if points < 0:
            raise RowError("points cannot be negative")
        key = (shop.id, registered_on)
        cohort = self.cohorts.get(key)
        if cohort is None:
            cohort = self.cohorts[key] = registration(registered_at, shop, registered_on)[1].value
        return _Good(email, normalized, shop.id, registered_at, registered_on, cohort, points)


_MEMBER_STATE = ("registered_at", "registered_on", "cohort", "activated_at", "activation_source")


def _import_batch(rows: list[_Good]) -> None:
    """Write ``rows`` set-based: what importing them one by one with ``import_row`` leaves.

    A referral code drawn for a new member that another member holds already fails the batch's
    savepoint; the batch is then written again with codes drawn afresh.
    """
    for attempt in range(5):
        try:
            with db.session.begin_nested():
                _write_batch(rows)
            return
        except IntegrityError:
            if attempt == 4:
                raise


def _write_batch(rows: list[_Good]) -> None:
    now = clock.now()
    members = cast(Table, Member.__table__)
    # 1. The TESmart IDs the rows name, as they are now.
    emails = list(dict.fromkeys(row.normalized for row in rows))
    states = _members_of(emails)
    before = {email: dict(state) for email, state in states.items()}
    # 2. Each row in its order, through import_member's rules (accounts.import_member).
    for row in rows:
        state = states.get(row.normalized)
        if state is None:
            state = states[row.normalized] = {
                "id": None,
                "email_normalized": row.normalized,
                "email": row.email,
                "state": "open",
                "created_at": now,
                "activated_at": None,
                "registered_at": None,
                "registered_on": None,
                "cohort": None,
                "activation_source": None,
                "referral_code": None,
            }
        state["imported"] = True
        if state["activated_at"] is None:
            state["registered_at"] = row.registered_at
            state["registered_on"], state["cohort"] = row.registered_on, row.cohort
            state["activated_at"], state["activation_source"] = row.registered_at, "import"
            state["referral_code"] = state["referral_code"] or new_referral_code()
        elif state["registered_on"] is None or row.registered_on < state["registered_on"]:
            state["registered_at"] = min(
                row.registered_at, state["registered_at"] or row.registered_at
            )
            state["registered_on"], state["cohort"] = row.registered_on, row.cohort
    # 3. The new IDs in one statement, the changed ones in another.
    created = [state for state in states.values() if state["id"] is None]
    if created:
        for state in created:
            state.pop("id")
        inserted = _insert_rows(
            members,
            [_with_defaults(members, state) for state in created],
            ["email_normalized"],
            returning=("id", "email_normalized"),
        )
        if len(inserted) != len(created):  # a concurrent writer made one meanwhile: start over
            raise IntegrityError("import batch", None, Exception("a member was created meanwhile"))
        for member_id, email in inserted:
            states[email]["id"] = member_id
    kept = (*_MEMBER_STATE, "imported", "referral_code")
    changed = [
        {"member_id": state["id"], **{f"new_{name}": state[name] for name in kept}}
        for email, state in states.items()
        if email in before and any(state[name] != before[email][name] for name in kept)
    ]
    if changed:
        db.session.execute(
            update(members)
            .where(members.c.id == bindparam("member_id"))
            .values(**{name: bindparam(f"new_{name}") for name in kept}),
            changed,
        )
    # 4. The opening balances: one entry per member and shop, the first row with points; the
    # wallets, moved by the new entries (ledger.post_entry's upsert) or else made empty; and for
    # each moved balance the member's metafields at the start of the next minute, once
    # (reach.notifications.points_moved; an opening balance starts no Flow trigger). The rows of
    # an ID created by this batch cannot exist yet (nobody else sees the ID before the commit):
    # they are written without conflict checks (COPY on PostgreSQL). Those of an ID that existed
    # are written once per key, as one by one.
    fresh = {states[email]["id"] for email in states if email not in before}
    pairs: dict[tuple[int, int], _Good] = {}
    opening: dict[tuple[int, int], _Good] = {}
    for row in rows:
        pair = (row.shop_id, states[row.normalized]["id"])
        pairs.setdefault(pair, row)
        if row.points:
            opening.setdefault(pair, row)
    entries, wallets = PointEntry.__table__, Wallet.__table__

    def entry(pair: tuple[int, int]) -> dict[str, Any]:
        shop_id, member_id = pair
        return {
            "shop_id": shop_id,
            "member_id": member_id,
            "delta": opening[pair].points,
            "kind": "import",
            "cause_key": f"import:{member_id}",
            "note": OPENING_NOTE,
            "actor": "import",
            "created_at": opening[pair].registered_at,
        }

    def wallet(pair: tuple[int, int], moved: bool) -> dict[str, Any]:
        return {
            "shop_id": pair[0],
            "member_id": pair[1],
            "balance": opening[pair].points if moved else 0,
            "last_activity_at": opening[pair].registered_at if moved else None,
        }

    new_entries = {pair for pair in opening if pair[1] in fresh}
    if new_entries:
        _copy_rows(entries, [entry(pair) for pair in opening if pair[1] in fresh])
    known = [pair for pair in opening if pair[1] not in fresh]
    if known:
        written = _insert_rows(
            entries,
            [entry(pair) for pair in known],
            ["shop_id", "cause_key"],
            returning=("shop_id", "member_id"),
        )
        new_entries.update((shop_id, member_id) for shop_id, member_id in written)
    created_wallets = [wallet(pair, pair in new_entries) for pair in pairs if pair[1] in fresh]
    if created_wallets:
        _copy_rows(wallets, created_wallets)
    moved = [wallet(pair, True) for pair in pairs if pair[1] not in fresh and pair in new_entries]
    if moved:
        _insert_rows(
            wallets,
            moved,
            ["shop_id", "member_id"],
            moves={"balance": "add", "last_activity_at": "replace"},
        )
    still = [
        wallet(pair, False) for pair in pairs if pair[1] not in fresh and pair not in new_entries
    ]
    if still:
        _insert_rows(wallets, still, ["shop_id", "member_id"])
    if new_entries:
        minute = int(now.timestamp()) // 60
        due = datetime.fromtimestamp((minute + 1) * 60, tz=now.tzinfo)
        # Due at the next minute: the sweep enqueues them then (the import commits with
        # db.session.commit, which enqueues nothing).
        items: list[dict[str, Any]] = [
            {
                "shop_id": shop_id,
                "kind": EffectKind.CUSTOMER_METAFIELDS.value,
                "idempotency_key": f"customer_metafields:{member_id}:{minute}",
                "payload": {"member_id": member_id},
                "state": "pending",
                "attempts": 0,
                "next_attempt_at": due,
                "created_at": now,
            }
            for shop_id, member_id in sorted(new_entries, key=lambda pair: pair[::-1])
        ]
        outbox = OutboxItem.__table__
        _copy_rows(outbox, [item for item in items if item["payload"]["member_id"] in fresh])
        _insert_rows(
            outbox,
            [item for item in items if item["payload"]["member_id"] not in fresh],
            ["shop_id", "idempotency_key"],
        )


_READ = ("id", "email_normalized", "imported", *_MEMBER_STATE, "referral_code")


def _members_of(emails: list[str]) -> dict[str, dict[str, Any]]:
    """The TESmart IDs of ``emails`` as they are now, by normalized email."""
    members = cast(Table, Member.__table__)
    if db.session.get_bind().dialect.name == "postgresql":
        # One array parameter: the statement's text is the same for every batch.
        with _driver_connection().cursor() as cursor:
            cursor.execute(
                f"SELECT {', '.join(_READ)} FROM members WHERE email_normalized = ANY(%s)",
                [emails],
            )
            return {record[1]: dict(zip(_READ, record, strict=True)) for record in cursor}
    found = db.session.execute(
        select(*(members.c[name] for name in _READ)).where(members.c.email_normalized.in_(emails))
    ).all()
    return {record.email_normalized: dict(record._mapping) for record in found}


def _insert_rows(
    table: Any,
    rows: list[dict[str, Any]],
    conflict: list[str],
    *,
    moves: dict[str, str] | None = None,
    returning: tuple[str, ...] = (),
) -> list[tuple[Any, ...]]:
    """INSERT ``rows`` in one statement, ON CONFLICT (``conflict``) DO NOTHING, or DO UPDATE
    ``moves`` (a column ``add``s the new value to its own, or ``replace``s it); the ``returning``
    columns of the rows written.

    PostgreSQL: one INSERT ... SELECT FROM unnest() of one array per column, so the statement's
    text stays the same whatever the batch size (the driver neither renders nor parses a
    statement per row). SQLite: SQLAlchemy's multi-row VALUES of the same rows.
    """
    if not rows:
        return []
    dialect = db.session.get_bind().dialect
    if dialect.name != "postgresql":
        from sqlalchemy.dialects.sqlite import insert

        statement = insert(table)
        if moves:
            statement = statement.on_conflict_do_update(
                index_elements=conflict,
                set_={
                    name: table.c[name] + statement.excluded[name]
                    if how == "add"
                    else statement.excluded[name]
                    for name, how in moves.items()
                },
            )
        else:
            statement = statement.on_conflict_do_nothing(index_elements=conflict)
        if returning:
            returned = statement.returning(*(table.c[name] for name in returning))
            return [tuple(found) for found in db.session.execute(returned, rows).all()]
        db.session.execute(statement, rows)
        return []
    quote = dialect.identifier_preparer.quote
    # A column no row sets is left to its default (NULL): nothing to send for it.
    columns = [name for name in rows[0] if any(row[name] is not None for row in rows)]
    names = ", ".join(quote(name) for name in columns)
    target = quote(table.name)
    stage = quote(f"import_stage_{table.name}")
    sql = (
        f"INSERT INTO {target} ({names}) SELECT {names} FROM {stage} "
        f"ON CONFLICT ({', '.join(quote(c) for c in conflict)}) "
    )
    if moves:
        sql += "DO UPDATE SET " + ", ".join(
            f"{quote(name)} = {target}.{quote(name)} + excluded.{quote(name)}"
            if how == "add"
            else f"{quote(name)} = excluded.{quote(name)}"
            for name, how in moves.items()
        )
    else:
        sql += "DO NOTHING"
    if returning:
        sql += " RETURNING " + ", ".join(quote(name) for name in returning)
    typed = ", ".join(
        f"{quote(name)} {table.c[name].type.compile(dialect=dialect)}" for name in columns
    )
    import psycopg

    found: list[tuple[Any, ...]] = []
    with _driver_connection().cursor() as cursor:
        # COPY into a staging table of the transaction's own, then one INSERT ... SELECT.
        cursor.execute(f"CREATE TEMP TABLE {stage} ({typed}) ON COMMIT DROP")
        with cursor.copy(f"COPY {stage} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([_copy_value(row[name]) for name in columns])
        try:
            cursor.execute(sql)
        except psycopg.IntegrityError as exc:  # as SQLAlchemy would have raised it
            raise IntegrityError(sql, None, exc) from exc
        if returning:
            found = [tuple(record) for record in cursor.fetchall()]
        cursor.execute(f"DROP TABLE {stage}")
    return found


def _copy_rows(table: Any, rows: list[dict[str, Any]]) -> None:
    """INSERT ``rows``, which no row of the table can conflict with: COPY on PostgreSQL."""
    if not rows:
        return
    dialect = db.session.get_bind().dialect
    if dialect.name != "postgresql":
        db.session.execute(table.insert(), rows)
        return
    quote = dialect.identifier_preparer.quote
    columns = list(rows[0])
    names = ", ".join(quote(name) for name in columns)
    statement = f"COPY {quote(table.name)} ({names}) FROM STDIN"
    values = operator.itemgetter(*columns)
    as_json = [i for i, name in enumerate(columns) if isinstance(table.c[name].type, JSON)]
    with _driver_connection().cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            record = values(row)
            if as_json:
                record = list(record)
                for i in as_json:
                    record[i] = json.dumps(record[i])
            copy.write_row(record)


def _driver_connection() -> Any:
    """The psycopg connection under the session's, in the session's transaction."""
    return db.session.connection().connection.driver_connection


def _copy_value(value: Any) -> Any:
    """A JSON column's value is sent as its text (COPY reads it as the column's type)."""
    return json.dumps(value) if isinstance(value, dict) else value


def _with_defaults(table: Any, values: dict[str, Any]) -> dict[str, Any]:
    """Every column an ORM insert would have set (executemany needs the same keys in each row)."""
    row = dict(values)
    for column in table.columns:
        if column.name in row or column.primary_key:
            continue
        default = column.default
        if default is None:
            row[column.name] = None
        elif default.is_callable:
            row[column.name] = default.arg(None)
        elif default.is_scalar:
            row[column.name] = default.arg
    return row


# One encoder for every row: ``json.dumps`` with options builds a new one per call, which was most
# of the fingerprint's time (a tenth of a large import's).
_CANONICAL = json.JSONEncoder(sort_keys=True, default=str)


def fingerprint(rows: list[dict[str, Any]]) -> str:
    """The SHA-256 of the rows' content: the same file imported again resumes its unfinished run.

    Each row's canonical JSON (sorted keys) and a newline, in the file's order."""
    digest = hashlib.sha256()
    for row in rows:
        digest.update((_CANONICAL.encode(row) + "\n").encode())
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
    position it last recorded. Every ``CHECKPOINT_EVERY`` rows are checked, written set-based and
    committed together with the run's position, so the position is exact (and were a row applied
    again, it would change nothing: the member and the opening balance are found by their keys)."""
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
    checker = _Checker()
    if progress is not None and start:
        progress(start)
    batch = max(1, CHECKPOINT_EVERY)
    for first in range(start, len(rows), batch):
        last = min(first + batch, len(rows))
        good: list[_Good] = []
        for index in range(first, last):
            try:
                good.append(checker.check(rows[index]))
            except (RowError, ValueError) as exc:
                errors.append({"line": index + 2, "error": str(exc)})  # line 1 is the header
        _open_batch(run)
        if db.session.get_bind().dialect.name == "postgresql":
            # The batch's commit need not wait for its WAL flush: were the server to crash just
            # after it, the batch is lost together with its position, and the import repeats it.
            db.session.execute(text("SET LOCAL synchronous_commit TO off"))
        if good:
            _import_batch(good)
        imported += len(good)
        if progress is not None:
            progress(last - first)  # before the commit: a bar stopped here leaves the batch out
        run.imported_rows, run.errors, run.position = imported, list(errors), last
        db.session.commit()
    run.imported_rows = imported
    run.errors = errors
    run.position = len(rows)
    run.state = "done"
    run.finished_at = clock.now()
    db.session.commit()
    return run


def _open_batch(run: ImportRun) -> None:
    """Start the batch's transaction with a write, so that the batch's savepoint nests inside it.

    SQLite's Python driver begins a transaction only before a write: a SAVEPOINT outside one opens
    a transaction of its own, which its RELEASE then commits, so the rows would be committed ahead
    of the batch's position. On PostgreSQL the statement changes nothing.
    """
    db.session.execute(
        update(ImportRun).where(ImportRun.id == run.id).values(position=ImportRun.position)
    )
