"""The migrations describe the models exactly (on SQLite and, in CI's second run, PostgreSQL)."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from plugin.extensions import db


# Alembic inspects the schema on a connection of its own.
@pytest.mark.commits
def test_models_and_migrations_agree(app) -> None:  # type: ignore[no-untyped-def]
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        differences = compare_metadata(context, db.metadata)
    assert differences == []
