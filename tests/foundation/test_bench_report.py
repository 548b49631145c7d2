"""`make bench`'s report: every issue-20 target has its row, each beside its floor (issue 20)."""

from __future__ import annotations

import argparse
from typing import Any

import pytest

from benchmarks import __main__ as bench
from benchmarks import lighthouse
from benchmarks.scenarios import Row


def _figures(visitor: tuple[float, float], member: tuple[float, float]) -> dict[str, Any]:
    """``lighthouse.measure``'s answer for these (without, with) scores."""
    metrics = {"fcp_ms": 700.0, "lcp_ms": 900.0, "tbt_ms": 20.0, "cls": 0.0}
    medians = {
        (who, app): {**metrics, "score": score}
        for who, pair in (("visitor", visitor), ("member", member))
        for app, score in zip(("without app", "with app"), pair, strict=True)
    }
    drops = {
        who: lighthouse.weighted({k: pair[0] - pair[1] for k in lighthouse.WEIGHTS})
        for who, pair in (("visitor", visitor), ("member", member))
    }
    return {"medians": medians, "drops": drops, "runs": 3}


@pytest.mark.parametrize(
    ("member", "met"), [((99.0, 97.0), True), ((99.0, 95.0), False)], ids=["2 points", "4 points"]
)
def test_the_lighthouse_rows_hold_the_worse_drop_against_3_points(
    monkeypatch: pytest.MonkeyPatch, member: tuple[float, float], met: bool
) -> None:
    monkeypatch.setattr(lighthouse, "measure", lambda runs, **_kw: _figures((98.0, 97.0), member))
    rows = lighthouse.rows(3)
    visitor_row, member_row, drop = rows
    assert visitor_row.figure == "97 points" and visitor_row.floor == "98 points without the app"
    assert visitor_row.met is True and member_row.met is met
    assert drop.figure == f"{member[0] - member[1]:+.1f} points" and drop.met is met


def test_the_targets_run_holds_every_done_when_row() -> None:
    assert set(bench.TARGET_PARTS) == {"ingest", "e2e", "reads", "import", "lighthouse"}
    assert set(bench.TARGET_PARTS) <= set(bench.PARTS)
    assert bench.TARGET_IMPORT_ROWS == 200_000


def test_each_row_is_printed_and_written_beside_its_floor_and_ratio() -> None:
    rows = [
        Row("Webhook ingest, app", "1000/s", "≥ 0.80 of floor", True, floor="1200/s", ratio=0.833),
        Row("Lighthouse drop", "+1.0 points", "≤ 3 points", True),
    ]
    printed = bench.console_table(rows).splitlines()
    assert printed[0].split()[:4] == ["benchmark", "measured", "floor", "ratio"]
    assert "1200/s" in printed[2] and "0.83" in printed[2]
    args = argparse.Namespace(quick=False, targets=True, web_workers=5)
    written = bench.document(rows, {"cores": "2"}, args, 800.0)
    assert "| Webhook ingest, app | 1000/s | 1200/s | 0.83 | ≥ 0.80 of floor | yes |" in written
    assert "| Lighthouse drop | +1.0 points | — | — | ≤ 3 points | yes |" in written
    assert "make bench ARGS=--targets" in written and "issue 20's targets run" in written
