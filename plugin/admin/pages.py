"""What every admin view shares: rendering, redirect after a post, notices, optional services."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from typing import Any

from flask import Response, abort, render_template, request
from flask import redirect as flask_redirect

from plugin.admin.context import admin, page_url

# Notices are chosen by code, never echoed from the query string.
NOTICES = {
    "adjusted": "Points adjusted. The entry is in the ledger and the audit log.",
    "activated": "TESmart ID activated.",
    "already_active": "The TESmart ID was already active.",
    "cancelled": "Membership cancelled.",
    "revoked": "Membership revoked.",
    "saved": "Saved. The change applies to new events only.",
    "unchanged": "Nothing changed.",
    "created": "Created.",
    "deleted": "Deleted.",
    "ended": "Ended now.",
    "archived": "Archived.",
    "granted": "Access granted.",
    "removed": "Access removed.",
    "done": "Done.",
    "imported": "Import finished.",
}


def render(template: str, *, status: int = 200, **values: Any) -> Response:
    notice = NOTICES.get(request.args.get("done", ""))
    values.setdefault("notice", notice)
    body = render_template(template, **values)
    return Response(body, status=status, mimetype="text/html")


def redirect_to(endpoint: str, done: str | None = None, **values: Any) -> Response:
    """Post/redirect/get, keeping the verified token so the next page loads at once (it expires
    within a minute anyway; past that the patch-id-token page gets a fresh one)."""
    if done:
        values["done"] = done
    values.setdefault("id_token", admin().id_token)
    return flask_redirect(page_url(endpoint, **values), code=303)


def optional_service(module: str, name: str) -> Callable[..., Any] | None:
    """A service function another part of the app provides, or None while it does not exist."""
    try:
        if importlib.util.find_spec(module) is None:
            return None
    except ModuleNotFoundError:
        return None
    return getattr(importlib.import_module(module), name, None)


def require(found: Any) -> Any:
    if found is None:
        abort(404)
    return found


def form_int(name: str) -> int | None:
    raw = (request.form.get(name) or "").strip().replace(",", "")
    try:
        return int(raw)
    except ValueError:
        return None
