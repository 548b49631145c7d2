"""An interrupted `members import` continues from the position it recorded, applying nothing
twice."""

from __future__ import annotations

import csv
import re
from typing import Any

import pytest

from plugin.extensions import db
from plugin.members import importer
from plugin.models import ImportRun, Member, PointEntry

ROWS = [
    {
        "email": f"old{n}@example.com",
        "registered_at": "2024-05-01",
        "shop": "tesmart-us.myshopify.com",
        "points": str(100 + n),
    }
    for n in range(450)
]


class Interrupted(Exception):
    pass


def _stop_after(count: int) -> Any:
    seen = {"n": 0}

    def progress(step: int) -> None:
        seen["n"] += step
        if seen["n"] >= count:
            raise Interrupted

    return progress


def test_an_interrupted_import_resumes_where_it_stopped(
    shops: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "CHECKPOINT_EVERY", 100)
    with pytest.raises(Interrupted):
        importer.import_members(ROWS, filename="old.csv", actor="cli", progress=_stop_after(250))
    db.session.rollback()
    run = db.session.query(ImportRun).one()
    assert (run.state, run.position, run.imported_rows) == ("running", 200, 200)
    # rows 201..250 were in the batch that never committed: nothing of them is left
    assert db.session.query(Member).count() == 200

    applied: list[int] = []
    again = importer.import_members(ROWS, filename="old.csv", actor="cli", progress=applied.append)
    assert again.id == run.id and db.session.query(ImportRun).count() == 1
    assert applied[0] == 200 and sum(applied) == len(ROWS)  # the bar starts at the resumed position
    assert (again.state, again.position, again.imported_rows, again.errors) == (
        "done",
        450,
        450,
        [],
    )
    assert db.session.query(Member).count() == 450
    entries = db.session.query(PointEntry).filter_by(kind="import").all()
    assert len(entries) == 450 and sum(e.delta for e in entries) == sum(100 + n for n in range(450))


def test_a_finished_import_is_not_resumed_and_changes_nothing(shops: Any) -> None:
    importer.import_members(ROWS[:10], filename="old.csv", actor="cli")
    second = importer.import_members(ROWS[:10], filename="old.csv", actor="cli")
    assert db.session.query(ImportRun).count() == 2 and second.position == 10
    assert db.session.query(PointEntry).filter_by(kind="import").count() == 10


def test_a_different_file_starts_a_run_of_its_own(
    shops: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "CHECKPOINT_EVERY", 5)
    with pytest.raises(Interrupted):
        importer.import_members(
            ROWS[:20], filename="old.csv", actor="cli", progress=_stop_after(12)
        )
    db.session.rollback()
    other = importer.import_members(ROWS[20:30], filename="old.csv", actor="cli")
    assert other.position == 10 and db.session.query(ImportRun).count() == 2


def test_the_command_says_it_resumes(
    shops: Any, runner: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.csv"
    path.write_text(
        "email,registered_at,shop,points\n"
        + "".join(
            f"{r['email']},{r['registered_at']},{r['shop']},{r['points']}\n" for r in ROWS[:30]
        )
    )
    monkeypatch.setattr(importer, "CHECKPOINT_EVERY", 10)
    with path.open(newline="") as handle:
        parsed = list(csv.DictReader(handle))
    with pytest.raises(Interrupted):
        importer.import_members(parsed, filename="old.csv", actor="cli", progress=_stop_after(15))
    db.session.rollback()
    result = runner.invoke(args=["members", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "resuming the interrupted import at row 10 of 30" in result.output
    assert "imported 30 of 30 rows (20 rows in " in result.output  # the rows this run read
    assert re.search(r"20 rows in \d+\.\d s, [\d,]+ rows a second", result.output)
