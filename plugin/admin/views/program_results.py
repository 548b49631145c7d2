"""What the dashboard's "Program results" section shows (issue 19): the table and its charts."""

from __future__ import annotations

from typing import Any

from plugin.admin.charts import bar_chart
from plugin.models import Shop
from plugin.reports.program_results import DEFINITIONS, MonthResults

ROWS = (
    ("members", "Members", "count"),
    ("activation_rate", "Activation rate", "rate"),
    ("redemption_rate", "Redemption rate", "rate"),
    ("code_revenue", "Revenue of orders with a reward or referral code", "money"),
    ("repeat_members", "Repeat-purchase rate, members", "rate"),
    ("repeat_non_members", "Repeat-purchase rate, non-members", "rate"),
    ("points_liability", "Points liability", "money"),
    ("store_credit_outstanding", "Store credit outstanding", "money"),
)
CHARTS = (
    ("members", "Members per month"),
    ("code_revenue", "Revenue with program codes per month"),
    ("points_liability", "Points liability per month"),
)


def program_results_page(shop: Shop, months: list[MonthResults]) -> dict[str, Any]:
    return {
        "results": [r.__dict__ for r in months],
        "results_rows": ROWS,
        "results_definitions": DEFINITIONS,
        "results_currency": shop.currency,
        "results_charts": [
            {
                "label": label,
                "svg": bar_chart([(r.month, int(getattr(r, key))) for r in months], label=label),
            }
            for key, label in CHARTS
        ],
    }
