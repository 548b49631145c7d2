"""An admin page load reads without a transaction on PostgreSQL (plugin.database.reads): no
BEGIN and ROLLBACK round trips, and psycopg keeps its prepared statements, which a ROLLBACK
discards. What a load writes (the staff member's visit) is one transaction all the same.

Real commits: inside the rolled-back test transaction no read can run without one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, func, select

from plugin.extensions import db
from plugin.models import StaffMember
from tests.admin.test_admin_translated_pages import pages  # noqa: F401 (the fixture)

pytestmark = pytest.mark.commits


@pytest.fixture()
def statements() -> Iterator[list[tuple[str, bool]]]:
    """Each statement the app sends: its first word, and whether it ran in autocommit."""
    seen: list[tuple[str, bool]] = []

    def watch(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        driver = conn.connection.driver_connection
        seen.append((statement.split(None, 1)[0].upper(), bool(getattr(driver, "autocommit", 0))))

    event.listen(db.engine, "before_cursor_execute", watch)
    yield seen
    event.remove(db.engine, "before_cursor_execute", watch)


def test_every_admin_page_load_reads_without_a_transaction(
    pages: list[tuple[str, str, dict[str, str]]],  # noqa: F811
    admin_get: Any,
    statements: list[tuple[str, bool]],
) -> None:
    postgres = db.engine.dialect.name == "postgresql"
    db.session.commit()  # idle, as a request's session is at its start
    # A first visit writes the staff member, in a transaction of its own.
    assert db.session.scalar(select(func.count()).select_from(StaffMember)) == 0
    db.session.commit()
    statements.clear()
    assert admin_get("/admin/").status_code == 200
    writes = [autocommit for verb, autocommit in statements if verb in ("INSERT", "UPDATE")]
    assert writes and not any(writes)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(StaffMember)) == 1
    db.session.commit()
    for method, path, params in pages:
        if method != "GET" or path == "/admin/no-such-page":
            continue  # a path with no view: the 404 page's one read is a transaction as before
        statements.clear()
        response = admin_get(path, **params)
        assert response.status_code in (200, 404), (path, response.status_code)
        assert statements, path
        verbs = {verb for verb, _ in statements}
        assert verbs <= {"SELECT", "WITH"}, (path, verbs)  # a page load writes nothing here
        assert {autocommit for _, autocommit in statements} == {postgres}, (path, statements)
        db.session.commit()
