"""The audit log page (and a member's or a case's history)."""

from __future__ import annotations

from sqlalchemy import select

from plugin.extensions import db
from plugin.models import AuditLog


def audit_rows(
    shop_id: int,
    *,
    subject_type: str | None = None,
    subject_id: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[AuditLog]:
    stmt = select(AuditLog).where(AuditLog.shop_id == shop_id)
    if subject_type:
        stmt = stmt.where(AuditLog.subject_type == subject_type)
    if subject_id:
        stmt = stmt.where(AuditLog.subject_id == subject_id)
    stmt = stmt.order_by(AuditLog.created_at.desc(), AuditLog.id.desc()).limit(limit).offset(offset)
    return list(db.session.execute(stmt).scalars())
