"""The import of old-program members from the admin, with its progress report."""

from __future__ import annotations

import io
from typing import Any

from plugin import ledger
from plugin.extensions import db
from plugin.models import ImportRun, Member

CSV = (
    "email,registered_at,shop,points\n"
    "old@example.com,2024-05-01,,1500\n"
    "bad-email,2024-05-01,,10\n"
    "older@example.com,2023-01-02,tesmart-us.myshopify.com,0\n"
)


def _upload(admin_post: Any, text: str) -> Any:
    return admin_post(
        "/admin/import",
        {"file": (io.BytesIO(text.encode()), "old.csv")},
        content_type="multipart/form-data",
    )


def test_an_import_reports_its_progress_and_refused_lines(
    shops: Any, admin_post: Any, admin_get: Any
) -> None:
    response = _upload(admin_post, CSV)
    assert response.status_code == 303
    run = db.session.query(ImportRun).one()
    assert (run.shop_id, run.total_rows, run.imported_rows, run.state) == (
        shops["us"].id,
        3,
        2,
        "done",
    )
    assert run.errors == [{"line": 3, "error": "'bad-email' is not an email address"}]
    member = db.session.query(Member).filter_by(email_normalized="old@example.com").one()
    assert member.imported and member.activated_at is not None
    assert ledger.sum_of_entries(shops["us"].id, member.id) == 1500
    page = admin_get(f"/admin/import/{run.id}").get_data(as_text=True)
    assert "bad-email" in page and 'data-stat="Imported">2<' in page
    assert _upload(admin_post, CSV).status_code == 303  # the same file again changes nothing
    assert ledger.sum_of_entries(shops["us"].id, member.id) == 1500


def test_rows_of_another_store_are_refused_whole(shops: Any, admin_post: Any) -> None:
    text = (
        "email,registered_at,shop,points\nx@example.com,2024-05-01,tesmart-eu.myshopify.com,100\n"
    )
    assert _upload(admin_post, text).status_code == 422
    assert db.session.query(ImportRun).count() == 0 and db.session.query(Member).count() == 0


def test_a_file_without_the_columns_is_refused(shops: Any, admin_post: Any) -> None:
    assert _upload(admin_post, "name,points\nx,1\n").status_code == 422
