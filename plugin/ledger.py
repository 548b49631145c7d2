"""The points ledger (invariant 2): one entry per cause; a balance is the sum of its entries.

The wallet's cached balance moves in the same statement-level transaction as the entry, by an
atomic ``balance = balance + delta``, so concurrent writers cannot lose an update.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select, text

from plugin import clock
from plugin.database.idempotent import insert_many_once, insert_once
from plugin.extensions import db
from plugin.models import PointEntry, Wallet
from plugin.models.types import UTCDateTime
from plugin.program.entries import ACTIVITY_KINDS, EntryKind

# Told of every entry written (shop_id, member_id, delta, kind, cause_key, balance=), in its
# transaction: the member's metafields and Flow follow (``plugin.reach.notifications.listen``, at
# app start). The ledger sits below reach and does not import it.
on_entry: Callable[..., None] | None = None


@dataclass(frozen=True)
class NewEntry:
    """An entry to write with ``post_entries``; ``balance`` is filled in on the ones written."""

    shop_id: int
    member_id: int
    delta: int
    kind: EntryKind
    cause_key: str
    note: str | None = None
    at: datetime | None = None
    balance: int | None = None  # the wallet's balance right after this entry, once written


# Told of the entries ``post_entries`` wrote (a list of ``NewEntry`` with their balances), in
# their transaction: what ``on_entry`` is told of one entry, for many at once.
on_entries: Callable[[list[NewEntry]], None] | None = None


def ensure_wallet(shop_id: int, member_id: int) -> None:
    insert_once(
        Wallet, {"shop_id": shop_id, "member_id": member_id, "balance": 0}, ["shop_id", "member_id"]
    )


def post_entry(
    *,
    shop_id: int,
    member_id: int,
    delta: int,
    kind: EntryKind,
    cause_key: str,
    note: str | None = None,
    actor: str | None = None,
    at: datetime | None = None,
) -> int | None:
    """Write the entry for ``cause_key`` once. Returns its id, or None when the cause had one."""
    at = at or clock.now()
    stored = EntryKind(kind).value  # an unknown kind fails here, before anything is written
    entry_id = insert_once(
        PointEntry,
        {
            "shop_id": shop_id,
            "member_id": member_id,
            "delta": int(delta),
            "kind": stored,
            "cause_key": cause_key,
            "note": note,
            "actor": actor,
            "created_at": at,
        },
        ["shop_id", "cause_key"],
    )
    if entry_id is None:
        return None
    statement = _MOVE_ACTIVE_BALANCE if stored in ACTIVITY_KINDS else _MOVE_BALANCE
    moved_to = db.session.execute(
        statement, {"shop_id": shop_id, "member_id": member_id, "delta": int(delta), "at": at}
    ).scalar()
    if on_entry is not None:
        on_entry(shop_id, member_id, int(delta), stored, cause_key, balance=moved_to)
    return entry_id


def post_entries(entries: list[NewEntry]) -> list[NewEntry]:
    """``post_entry`` for many entries in three statements whatever their number: the entries
    (each once per cause), the wallets moved by the sum of those written, and the hook's own. The
    entries written are returned, in the order given, each with the balance it left, as one
    ``post_entry`` after the other would have left it."""
    if not entries:
        return []
    now = clock.now()
    rows = [
        {
            "shop_id": entry.shop_id,
            "member_id": entry.member_id,
            "delta": int(entry.delta),
            "kind": EntryKind(entry.kind).value,
            "cause_key": entry.cause_key,
            "note": entry.note,
            "actor": None,
            "created_at": entry.at or now,
        }
        for entry in entries
    ]
    inserted = {
        (shop_id, cause_key)
        for shop_id, cause_key in insert_many_once(
            PointEntry, rows, ["shop_id", "cause_key"], ["shop_id", "cause_key"]
        )
    }
    written = [
        (entry, row)
        for entry, row in zip(entries, rows, strict=True)
        if (entry.shop_id, entry.cause_key) in inserted
    ]
    if not written:
        return []
    # One wallet row per member, moved by the sum of its entries, in a stable order (two workers
    # lock the same wallets in the same order); the last activity is the last activity entry's.
    moves: dict[tuple[int, int], int] = {}
    last_activity: dict[tuple[int, int], datetime] = {}
    for entry, _ in written:
        key = (entry.shop_id, entry.member_id)
        moves[key] = moves.get(key, 0) + int(entry.delta)
        if EntryKind(entry.kind).value in ACTIVITY_KINDS:
            last_activity[key] = entry.at or now
    wallets = [
        {
            "shop_id": key[0],
            "member_id": key[1],
            "balance": moves[key],
            "last_activity_at": last_activity.get(key),
        }
        for key in sorted(moves)
    ]
    active = [wallet for wallet in wallets if wallet["last_activity_at"] is not None]
    idle = [wallet for wallet in wallets if wallet["last_activity_at"] is None]
    balances: dict[tuple[int, int], int] = {}
    for group, update in ((active, ["last_activity_at"]), (idle, [])):
        for shop_id, member_id, moved_to in insert_many_once(
            Wallet,
            group,
            ["shop_id", "member_id"],
            ["shop_id", "member_id", "balance"],
            update=update,
            add=["balance"],
        ):
            balances[(shop_id, member_id)] = int(moved_to)
    # Each entry's balance: the wallet's final one less what the member's later entries added.
    posted: list[NewEntry] = []
    for entry, _ in reversed(written):
        key = (entry.shop_id, entry.member_id)
        posted.append(
            NewEntry(
                entry.shop_id,
                entry.member_id,
                int(entry.delta),
                EntryKind(entry.kind),
                entry.cause_key,
                entry.note,
                entry.at,
                balances[key],
            )
        )
        balances[key] -= int(entry.delta)
    posted.reverse()
    if on_entries is not None:
        on_entries(posted)
    return posted


# The wallet created at its first entry, or moved by ``balance = balance + delta``: one statement,
# atomic on both backends (the row is locked by the update as a redemption's SELECT FOR UPDATE
# would lock it). Prebuilt text: SQLAlchemy does not cache the dialects' ON CONFLICT constructs.
_UPSERT_WALLET = (
    "INSERT INTO wallets (shop_id, member_id, balance, last_activity_at) VALUES (:shop_id, "
    ":member_id, :delta, {new_activity}) ON CONFLICT (shop_id, member_id) DO UPDATE SET balance = "
    "wallets.balance + excluded.balance{moved_activity}"
    " RETURNING balance"  # the balance it moved to, for the notifications (no second read)
)
_MOVE_ACTIVE_BALANCE = text(
    _UPSERT_WALLET.format(
        new_activity=":at", moved_activity=", last_activity_at = excluded.last_activity_at"
    )
).bindparams(bindparam("at", type_=UTCDateTime()))
_MOVE_BALANCE = text(_UPSERT_WALLET.format(new_activity="NULL", moved_activity=""))


def has_entry(shop_id: int, cause_key: str) -> bool:
    stmt = select(PointEntry.id).where(
        PointEntry.shop_id == shop_id, PointEntry.cause_key == cause_key
    )
    return db.session.execute(stmt).first() is not None


def balance(shop_id: int, member_id: int) -> int:
    stmt = select(Wallet.balance).where(Wallet.shop_id == shop_id, Wallet.member_id == member_id)
    return int(db.session.execute(stmt).scalar() or 0)


def sum_of_entries(shop_id: int, member_id: int) -> int:
    stmt = select(func.coalesce(func.sum(PointEntry.delta), 0)).where(
        PointEntry.shop_id == shop_id, PointEntry.member_id == member_id
    )
    return int(db.session.execute(stmt).scalar() or 0)


def lock_wallet(shop_id: int, member_id: int) -> Wallet:
    """The wallet row, locked until the transaction ends (a redemption's critical section)."""
    ensure_wallet(shop_id, member_id)
    stmt = (
        select(Wallet)
        .where(Wallet.shop_id == shop_id, Wallet.member_id == member_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return db.session.execute(stmt).scalar_one()
