"""The reward catalogue: each column's header sits over that column's field (issue 17, item 11)."""

from __future__ import annotations

from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

from plugin.extensions import db
from plugin.models import Reward


class Cells(HTMLParser):
    """The catalogue table's headers, and the form fields of each cell of its first row."""

    def __init__(self) -> None:
        super().__init__()
        self.headers: list[str] = []
        self.cells: list[list[str]] = []
        self._in_table = self._in_th = self._in_row = False

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        found = dict(attrs)
        if tag == "table" and found.get("aria-label") == "Rewards":
            self._in_table = True
        elif self._in_table and tag == "th":
            self._in_th = True
            self.headers.append("")
        elif self._in_table and tag == "tr" and found.get("data-reward"):
            self._in_row = not self.cells
        elif self._in_row and tag == "td":
            self.cells.append([])
        elif self._in_row and tag in ("input", "select") and found.get("type") != "hidden":
            self.cells[-1].append(found["name"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "th":
            self._in_th = False
        elif tag == "tr":
            self._in_row = False
        elif tag == "table":
            self._in_table = False

    def handle_data(self, data: str) -> None:
        if self._in_th:
            self.headers[-1] += data.strip()


def test_each_header_sits_over_its_own_field(shops: Any, admin_get: Any) -> None:
    db.session.add(
        Reward(
            shop_id=shops["us"].id,
            title="5 USD off",
            points=500,
            kind="fixed_amount",
            amount=Decimal("5"),
        )
    )
    db.session.commit()
    parser = Cells()
    parser.feed(admin_get("/admin/rewards").get_data(as_text=True))
    fields = dict(zip(parser.headers, parser.cells, strict=True))
    assert fields["Title"] == ["title"]
    assert fields["Points"] == ["points"]
    assert fields["Kind"] == ["kind"]
    assert fields["Amount"] == ["amount"]
    assert fields["Percent"] == ["percentage"]
    assert fields["Position"] == ["position"]


def test_the_row_fields_belong_to_the_rows_form(shops: Any, admin_get: Any) -> None:
    reward = Reward(
        shop_id=shops["us"].id,
        title="5 USD off",
        points=500,
        kind="fixed_amount",
        amount=Decimal("5"),
    )
    db.session.add(reward)
    db.session.commit()
    html = admin_get("/admin/rewards").get_data(as_text=True)
    assert f'id="reward-{reward.id}"' in html
    assert html.count(f'data-plain form="reward-{reward.id}"') == 6  # the plain fields
    assert html.count(f'data-polaris form="reward-{reward.id}"') == 6  # and their Polaris twins


def test_the_add_form_offers_each_kind_by_its_label(shops: Any, admin_get: Any) -> None:
    html = admin_get("/admin/rewards").get_data(as_text=True)
    assert 'id="reward-create"' in html
    start = html.index('id="r-kind"')
    options = html[start : html.index("</select>", start)]
    for kind, text in (
        ("fixed_amount", "Fixed amount off"),
        ("percentage", "Percentage off"),
        ("store_credit", "Store credit"),
    ):
        assert f'<option value="{kind}"' in options and text in options
