"""What every admin page is drawn with: the navigation and the page globals (also for the error
pages, which are drawn outside the admin's routes)."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, url_for

from plugin.admin import i18n
from plugin.admin.context import page_url

_ = i18n.gettext  # the texts below are translated when shown, not here

NAV = (
    ("admin.dashboard", "Dashboard"),
    ("admin.members", "Members"),
    ("admin.trade_ins", "Trade-ins"),
    ("admin.returns", "Returns & warranty"),
    ("admin.ctrl_f", "CTRL F"),
    ("admin.settings", "Settings"),
    ("admin.emails_page", "Emails"),
    ("admin.rewards", "Rewards"),
    ("admin.tiers_page", "VIP tiers"),
    ("admin.campaigns", "Campaigns"),
    ("admin.data", "Export & import"),
    ("admin.audit", "Audit log"),
    ("admin.staff", "Staff"),
)


def page_globals() -> dict[str, Any]:
    dev = bool(current_app.config.get("DEV_MODE")) and "admin_dev" in current_app.blueprints
    return {
        "ctx": g.get("admin"),
        "link": page_url,
        "nav": NAV,
        "api_key": current_app.config["SHOPIFY_API_KEY"],
        "dev_token_url": url_for("admin_dev.token") if dev else None,
        "_": i18n.gettext,
        "locale": i18n.current_locale(),
        "html_lang": i18n.HTML_LANG.get(i18n.current_locale(), "en"),
    }
