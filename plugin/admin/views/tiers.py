"""VIP tiers (issue 19): the merchant edits them at any time and sees who would move first.

"Preview" shows, before anything is saved, who moves up at once and who moves down at the end of
their current period; "Save" stores the tiers (audited) and moves the members who now qualify
higher. Nobody is moved down by an edit alone.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, request

from plugin.admin.blueprint import bp
from plugin.admin.context import admin, app_home
from plugin.admin.pages import redirect_to, render
from plugin.program.tiers import TiersInvalid
from plugin.rewards import tiers

EXAMPLE = {
    "enabled": False,
    "basis": "points_earned",
    "window": "rolling_12_months",
    "retention": "period_end",
    "grace_months": 0,
    "tiers": [
        {"key": "member", "name": "Member", "threshold": 0, "multiplier": "1"},
        {
            "key": "vip",
            "name": "VIP",
            "threshold": 5000,
            "multiplier": "1.25",
            "perk": "free_shipping",
        },
        {
            "key": "vip_plus",
            "name": "VIP Plus",
            "threshold": 15000,
            "multiplier": "1.5",
            "perk": "gift",
        },
    ],
}


def _page(
    status: int = 200,
    text: str | None = None,
    errors: dict[str, str] | None = None,
    preview: Any = None,
) -> Response:
    shop = admin().shop
    stored = (shop.settings or {}).get(tiers.SETTINGS_KEY)
    return render(
        "admin/tiers.html",
        status=status,
        title="VIP tiers",
        text=text if text is not None else json.dumps(stored or EXAMPLE, indent=2),
        stored=stored,
        errors=errors or {},
        preview=preview,
        currency=shop.currency,
    )


@bp.get("/tiers")
@app_home
def tiers_page() -> Response:
    return _page()


@bp.post("/tiers")
@app_home
def tiers_save() -> Response:
    ctx = admin()
    text = request.form.get("tiers", "")
    try:
        raw = json.loads(text)
        if not isinstance(raw, dict):
            raise ValueError
    except ValueError:
        return _page(422, text, {"tiers": "Write the tiers as a JSON object."})
    try:
        if request.form.get("action") != "save":
            return _page(200, text, preview=tiers.preview(ctx.shop, raw))
        tiers.save_rules(ctx.shop, raw, ctx.actor)
    except TiersInvalid as exc:
        return _page(422, text, exc.errors)
    return redirect_to("admin.tiers_page", "saved")
