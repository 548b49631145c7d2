"""The merchant's admin inside Shopify (App Home): server-rendered pages under /admin.

Every page is verified by its session token (see :mod:`plugin.admin.context`) and shows one
shop's data only. Pages load App Bridge and Polaris web components from Shopify's CDN, but every
control is plain HTML (tables, forms, buttons) styled by a small local stylesheet, so the admin
stays usable when the CDN cannot be reached.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from flask import Response, g, redirect, request, url_for
from flask.sansio.app import App
from jinja2 import pass_context

from plugin.admin import i18n, labels
from plugin.admin.blueprint import bp
from plugin.admin.context import apply_headers
from plugin.admin.errors import admin_error_page
from plugin.admin.layout import page_globals
from plugin.clock import zone


def per_request(filter_: Callable[..., str | list[str]]) -> Callable[..., Any]:
    """A filter whose words depend on the request (the operator's language, the store's zone).

    Jinja evaluates a filter over constants (``"open"|label("ctrlf_state")``) once, when it compiles
    the template, and keeps the result for every later render: the first operator's language would
    then stick for everyone. A filter that takes the render context is never folded, so this one
    takes it and passes it by.
    """

    @functools.wraps(filter_)
    @pass_context
    def per_render(_context: Any, *args: Any, **kwargs: Any) -> Any:
        return filter_(*args, **kwargs)

    return per_render


bp.context_processor(page_globals)


@bp.app_template_filter("label")
@per_request
def _label(value: Any, group: str) -> str:
    return labels.label(value, group)


@bp.app_template_filter("actor")
@per_request
def _actor(value: str | None) -> str:
    return labels.actor_label(value, _staff_names())


@bp.app_template_filter("audit_lines")
@per_request
def _audit_lines(row: Any) -> list[str]:
    ctx = g.get("admin")
    return labels.describe_audit(
        row.before, row.after, ctx.shop.currency if ctx is not None else None
    )


def _staff_names() -> dict[str, str]:
    """Staff members by their Shopify user id: the names and emails the admin knows."""
    found = g.get("admin_staff_names")
    if found is None:
        ctx = g.get("admin")
        found = {}
        if ctx is not None:
            from plugin.members import staff  # local: the views import a module named staff too

            for grant in staff.grants_of_shop(ctx.shop.id):
                name = getattr(grant, "name", None) or grant.email
                if name:
                    found[grant.user_id] = name
        g.admin_staff_names = found
    return found


@bp.app_template_filter("money")
@per_request
def _money(amount: Decimal | int | None, currency: str) -> str:
    return i18n.format_money(amount, currency)


@bp.app_template_filter("points")
@per_request
def _points(value: int | None) -> str:
    return i18n.format_points(value)


@bp.app_template_filter("signed")
@per_request
def _signed(value: int) -> str:
    return i18n.format_signed(value)


@bp.app_template_filter("percent")
@per_request
def _percent(value: Decimal | int | None) -> str:
    return i18n.format_percent(value)


@bp.app_template_filter("day")
@per_request
def _day(value: date | None) -> str:
    return i18n.format_date(value)


@bp.app_template_filter("month")
@per_request
def _month(value: date | None) -> str:
    return i18n.format_month(value)


@bp.app_template_filter("when")
@per_request
def _when(value: datetime | date | None) -> str:
    """Times in the store's own zone (the operator runs that store)."""
    ctx = g.get("admin")
    return i18n.format_when(
        value, zone(ctx.shop.timezone, ctx.shop.region) if ctx is not None else None
    )


@bp.after_request
def _headers(response: Response) -> Response:
    return apply_headers(response)


def _root(app: App) -> None:
    # Shopify opens the application URL itself; the admin lives under /admin.
    def app_home_root() -> Response:
        query = request.query_string.decode()
        # flask's redirect() is typed as werkzeug's Response; it builds the app's flask Response.
        location = url_for("admin.dashboard") + (f"?{query}" if query else "")
        return cast(Response, redirect(location, code=302))

    if "app_home_root" not in app.view_functions:
        app.add_url_rule("/", "app_home_root", app_home_root)


bp.record_once(lambda state: _root(state.app))
# The app-wide error handlers (plugin.errors) draw an error under /admin with the admin's page.
bp.record_once(lambda state: state.app.extensions.setdefault("admin_error_page", admin_error_page))

from plugin.admin.views import (  # noqa: E402,F401  (routes)
    audit,
    benefits,
    cases,
    dashboard,
    data,
    emails,
    members,
    program,
    session,
    staff,
    tiers,
)

__all__ = ["bp"]
