"""Attacks from outside: HTTP in, the database checked after (issue 15)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from plugin.extensions import db


def count(model: Any, *where: Any) -> int:
    db.session.expire_all()
    return int(
        db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()
    )
