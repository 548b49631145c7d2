"""Dashboard: members, the points (with the liability finance books), benefits at a glance."""

from __future__ import annotations

from flask import Response

from plugin import clock
from plugin.admin import i18n
from plugin.admin.blueprint import bp
from plugin.admin.charts import bar_chart
from plugin.admin.context import admin, app_home
from plugin.admin.pages import render
from plugin.admin.views.program_results import program_results_page
from plugin.reports import program_results
from plugin.reports.queries import dashboard as dashboard_queries
from plugin.sync import reconcile

# One text per stream and state, so each language can word it whole; with the rate once a window
# has taken long enough to have one.
RECONCILE_LINES = {
    ("orders", True): "Reconciliation of orders: {read} read so far, last page saved {at}",
    ("orders", False): "Reconciliation of orders: {read} read in the last window, finished {at}",
    ("customers", True): "Reconciliation of customers: {read} read so far, last page saved {at}",
    (
        "customers",
        False,
    ): "Reconciliation of customers: {read} read in the last window, finished {at}",
}
RECONCILE_RATE_LINES = {
    ("orders", True): "Reconciliation of orders: {read} read so far, {rate} a minute, last page "
    "saved {at}",
    ("orders", False): "Reconciliation of orders: {read} read in the last window, {rate} a "
    "minute, finished {at}",
    ("customers", True): "Reconciliation of customers: {read} read so far, {rate} a minute, last "
    "page saved {at}",
    ("customers", False): "Reconciliation of customers: {read} read in the last window, {rate} a "
    "minute, finished {at}",
}


def reconcile_status(shop) -> list[str]:
    """The small status line of each reconciliation stream (a catch-up of 100,000 orders spans
    runs: the operator sees how far it has come, and how fast)."""
    zone = clock.shop_zone(shop)
    lines = []
    for row in reconcile.progress(shop):
        key = (row["stream"], row["running"])
        values = {"read": i18n.format_number(row["read"]), "at": i18n.format_when(row["at"], zone)}
        if row["per_minute"] is None:
            lines.append(i18n.gettext(RECONCILE_LINES[key], **values))
        else:
            rate = i18n.format_number(row["per_minute"])
            lines.append(i18n.gettext(RECONCILE_RATE_LINES[key], rate=rate, **values))
    return lines


@bp.get("/")
@app_home
def dashboard() -> Response:
    shop = admin().shop
    numbers = dashboard_queries.dashboard(shop, clock.today(clock.shop_zone(shop)))
    months = program_results.results(shop)
    return render(
        "admin/dashboard.html",
        title="Dashboard",
        numbers=numbers,
        redemptions_chart=bar_chart(numbers["redemptions"], label="Redemptions per day"),
        referrals_chart=bar_chart(numbers["referrals"], label="Referral conversions per day"),
        reconcile_status=reconcile_status(shop),
        **program_results_page(shop, months),
    )
