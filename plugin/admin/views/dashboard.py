"""Dashboard: members, the points (with the liability finance books), benefits at a glance."""

from __future__ import annotations

from flask import Response

from plugin import clock
from plugin.admin import bp
from plugin.admin.charts import bar_chart
from plugin.admin.context import admin, app_home
from plugin.admin.pages import render
from plugin.admin.views.program_results import program_results_page
from plugin.services import admin_queries, program_results


@bp.get("/")
@app_home
def dashboard() -> Response:
    shop = admin().shop
    numbers = admin_queries.dashboard(shop, clock.today(clock.shop_zone(shop)))
    months = program_results.results(shop)
    return render(
        "admin/dashboard.html",
        title="Dashboard",
        numbers=numbers,
        redemptions_chart=bar_chart(numbers["redemptions"], label="Redemptions per day"),
        referrals_chart=bar_chart(numbers["referrals"], label="Referral conversions per day"),
        **program_results_page(shop, months),
    )
