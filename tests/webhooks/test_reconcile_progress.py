"""A reconciliation spanning runs (a catch-up of many orders) shows in the admin how far it has
come."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import time_machine

from plugin.extensions import db
from plugin.models import Shop
from plugin.sync import reconcile
from plugin.sync.reconcile import reconcile_all
from tests import signing
from tests.webhooks.test_reconcile_streams import DOMAIN, buyers, plus_store, us  # noqa: F401 (fixtures)


def _dashboard(client, locale: str = "en") -> str:  # type: ignore[no-untyped-def]
    query = {
        "shop": DOMAIN,
        "host": "aG9zdA",
        "locale": locale,
        "id_token": signing.session_token(DOMAIN, sub="42"),
    }
    response = client.get(f"/admin/?{urlencode(query)}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_dashboard_shows_the_reconciliation_progress(
    us,
    fake_admin,
    client,
    monkeypatch,
) -> None:  # type: ignore[no-untyped-def]
    buyers(fake_admin, 7)
    monkeypatch.setattr(reconcile, "MAX_PAGES", 1)
    # Every run at one instant: a window read in no time has no rate yet (the lines without one).
    with time_machine.travel(datetime.now(UTC), tick=False):
        reconcile_all(DOMAIN)
        shop = db.session.get(Shop, us.id)
        orders = next(row for row in reconcile.progress(shop) if row["stream"] == "orders")
        assert (orders["read"], orders["running"]) == (3, True)  # one page read, more to come
        assert "Reconciliation of orders: 3 read so far, last page saved" in _dashboard(client)
        reconcile_all(DOMAIN)
        reconcile_all(DOMAIN)
    db.session.expire_all()
    orders = next(
        row for row in reconcile.progress(db.session.get(Shop, us.id)) if row["stream"] == "orders"
    )
    assert (orders["read"], orders["running"]) == (
        7,
        False,
    )  # the window's total, across three runs
    page = _dashboard(client)
    assert "Reconciliation of orders: 7 read in the last window, finished" in page
    assert "Abgleich der Bestellungen: 7 im letzten Zeitfenster gelesen" in _dashboard(client, "de")
    assert "注文の照合" in _dashboard(client, "ja") and "주문 대조" in _dashboard(client, "ko")


def test_no_line_before_the_first_reconciliation(us, client) -> None:  # type: ignore[no-untyped-def]
    assert "data-reconcile" not in _dashboard(client)


def test_a_catch_up_shows_its_rate_a_minute(us, fake_admin, client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Three orders a page, one page a run, runs two minutes apart: the window's first page is
    its start, so the rate is the orders read over the minutes since (6 in 2 minutes: 3)."""
    buyers(fake_admin, 7)
    monkeypatch.setattr(reconcile, "MAX_PAGES", 1)
    start = datetime.now(UTC).replace(microsecond=0)
    for minutes in (0, 2):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            reconcile_all(DOMAIN)
    db.session.expire_all()
    orders = next(
        row for row in reconcile.progress(db.session.get(Shop, us.id)) if row["stream"] == "orders"
    )
    assert (orders["read"], orders["running"], orders["per_minute"]) == (6, True, 3)
    assert "Reconciliation of orders: 6 read so far, 3 a minute, last page saved" in _dashboard(
        client
    )
    assert "6 bisher gelesen, 3 pro Minute" in _dashboard(client, "de")
    with time_machine.travel(start + timedelta(minutes=4), tick=False):
        reconcile_all(DOMAIN)  # the last order: the window is finished, 7 in 4 minutes
    db.session.expire_all()
    orders = next(
        row for row in reconcile.progress(db.session.get(Shop, us.id)) if row["stream"] == "orders"
    )
    assert (orders["read"], orders["running"], orders["per_minute"]) == (7, False, 2)
    assert "7 read in the last window, 2 a minute, finished" in _dashboard(client)
