"""The audit trail: every merchant action and every money-like change (who, what, before, after)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from plugin.database.transaction import unit_of_work
from plugin.extensions import db
from plugin.models import AuditLog


def record(
    *,
    shop_id: int | None,
    actor: str,
    action: str,
    subject_type: str | None = None,
    subject_id: object = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditLog:
    """Add an audit row to the current transaction (the caller commits it with the change)."""
    row = AuditLog(
        shop_id=shop_id,
        actor=actor[:255],
        action=action,
        subject_type=subject_type,
        subject_id=None if subject_id is None else str(subject_id),
        before=_plain(before) if before is not None else None,
        after=_plain(after) if after is not None else None,
    )
    db.session.add(row)
    return row


def record_created(
    row: Any,
    *,
    shop_id: int,
    actor: str,
    action: str,
    subject_type: str,
    after: dict[str, Any] | Callable[[Any], dict[str, Any]],
) -> AuditLog:
    """Add a new row and the audit line of its creation: flushed first, so the line names the
    row's id; ``after`` is what the line records, or a function of the row that gives it."""
    db.session.add(row)
    db.session.flush()
    return record(
        shop_id=shop_id,
        actor=actor,
        action=action,
        subject_type=subject_type,
        subject_id=row.id,
        before=None,
        after=after(row) if callable(after) else after,
    )


@dataclass(frozen=True)
class Audited:
    """How one kind of merchant-edited row is audited: its subject type, the prefix of its
    actions (``<prefix>.create``, ``<prefix>.update``, ...) and what a line records of it."""

    subject_type: str
    action_prefix: str
    snapshot: Callable[[Any], dict[str, Any]]

    def created(self, row: Any, *, shop_id: int, actor: str) -> AuditLog:
        """Add the new row and the line of its creation (``record_created``)."""
        return record_created(
            row,
            shop_id=shop_id,
            actor=actor,
            action=f"{self.action_prefix}.create",
            subject_type=self.subject_type,
            after=self.snapshot,
        )

    def changed(
        self,
        row: Any,
        values: Mapping[str, Any],
        *,
        shop_id: int,
        actor: str,
        only_changed: bool = False,
    ) -> AuditLog | None:
        """Set ``values`` on the row and record the update: the whole snapshot before and after,
        or with ``only_changed`` the fields that changed, and no line when none did."""
        before = self.snapshot(row)
        for name, value in values.items():
            setattr(row, name, value)
        after = self.snapshot(row)
        if only_changed:
            changed = [name for name in before if before[name] != after[name]]
            if not changed:
                return None
            before = {name: before[name] for name in changed}
            after = {name: after[name] for name in changed}
        return self.step(row, "update", shop_id=shop_id, actor=actor, before=before, after=after)

    def step(
        self,
        row: Any,
        step: str,
        *,
        shop_id: int,
        actor: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> AuditLog:
        """The line of one step (``<prefix>.<step>``) done to the row."""
        return record(
            shop_id=shop_id,
            actor=actor,
            action=f"{self.action_prefix}.{step}",
            subject_type=self.subject_type,
            subject_id=row.id,
            before=before,
            after=after,
        )


def note(**fields: Any) -> AuditLog:
    """Record an operator's action that changes nothing else (an export, a download), in a unit
    of work of its own: it is kept before the answer is sent. ``fields`` as for ``record``."""
    with unit_of_work():
        return record(**fields)


def _plain(value: Any) -> Any:
    """JSON columns take plain values: money as decimal strings, dates as ISO text."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
