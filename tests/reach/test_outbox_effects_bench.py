"""The outbox benchmark's figures (benchmarks/outbox_effects.py, part ``outbox`` of `make bench`)
are counts: a paid order adds one Flow trigger row, and 100 ledger entries for one customer in one
minute make one metafield row and one write."""

from __future__ import annotations

from benchmarks.outbox_effects import measure


def test_the_outbox_figures_per_paid_order_and_the_coalescing() -> None:
    rows = {
        row.figure.split(" ", 1)[1] if row.figure[0].isdigit() else row.figure: row
        for row in measure(orders=3, entries=100)
    }
    assert rows["outbox rows / paid order"].notes == "flow.trigger 1"
    assert rows["Admin API calls / paid order"].figure == "1 Admin API calls / paid order"
    coalesced = rows["ledger entries in a minute → 1 metafield write(s)"]
    assert coalesced.met and coalesced.notes == "1 metafield outbox row(s)"
