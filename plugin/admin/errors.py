"""The admin's own error pages: a 400, 403, 404, 405 or 500 under /admin is a page of the admin,
styled and in the operator's language, never the framework's bare HTML (API paths keep their JSON
errors, see :mod:`plugin.errors`)."""

from __future__ import annotations

from typing import Any

from flask import Response, g, render_template, request, url_for
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException

from plugin.admin.context import apply_headers
from plugin.admin.layout import page_globals

# status: (heading, sentence); the English texts are translated when shown.
PAGES: dict[int, tuple[str, str]] = {
    400: ("Invalid request", "The page could not read what was sent. Go back and try again."),
    401: ("Not signed in", "This page opens from the Shopify admin."),
    403: ("No access", "Your account cannot open this page. Ask the store's app owner for access."),
    404: ("Not found", "There is no such page or record in this store."),
    405: (
        "Action not allowed",
        "This page cannot be used this way. Go back and use the page's own buttons.",
    ),
    413: ("The upload is too large", "Send a smaller file."),
    429: ("Too many requests", "Wait a minute, then try again."),
    500: (
        "Something went wrong",
        "The app could not finish this. Nothing was changed half-way; try again in a moment.",
    ),
}


def is_admin_path() -> bool:
    return request.path == "/admin" or request.path.startswith("/admin/")


def _readable_form() -> None:
    """A body the app refused to read (too large, malformed) is left unread: the page is drawn from
    the query string alone."""
    try:
        request.values  # noqa: B018  (reads the body once, or fails)
    except HTTPException:
        request.__dict__["form"] = ImmutableMultiDict()
        request.__dict__["files"] = ImmutableMultiDict()
        request.__dict__["values"] = request.args


def error_page(exc: HTTPException | int) -> Response:
    status = exc if isinstance(exc, int) else (exc.code or 500)
    _readable_form()
    heading, sentence = PAGES.get(status, PAGES[500] if status >= 500 else PAGES[400])
    params: dict[str, Any] = {
        k: request.values[k] for k in ("shop", "host", "locale") if request.values.get(k)
    }
    home = url_for("admin.dashboard", **params) if g.get("admin") is None else None
    values = {
        **page_globals(),
        "title": heading,
        "message": sentence,
        "status": status,
        "home": home,
    }
    body = render_template("admin/error.html", **values)
    response = Response(body, status=status, mimetype="text/html")
    if isinstance(exc, HTTPException):
        for name, value in exc.get_headers():
            if name.lower() == "allow":
                response.headers[name] = value
    return apply_headers(response)


def admin_error_page(exc: HTTPException | int) -> Response | None:
    """The admin's page for an error on a path under /admin; None elsewhere (``plugin.errors``
    calls it, installed by the admin blueprint)."""
    return error_page(exc) if is_admin_path() else None
