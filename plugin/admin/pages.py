"""What every admin view shares: rendering, redirect after a post, notices, confirmations,
optional services."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from flask import Response, abort, render_template, request
from flask import redirect as flask_redirect

from plugin.admin.context import admin, page_url
from plugin.admin.i18n import _

# Notices are chosen by code, never echoed from the query string (translated when shown).
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
    "selected": "Selected.",
    "imported": "Import finished.",
}


def render(template: str, *, status: int = 200, **values: Any) -> Response:
    code = request.args.get("done", "")
    values.setdefault("notice", _(NOTICES[code]) if code in NOTICES else None)
    body = render_template(template, **values)
    return Response(body, status=status, mimetype="text/html")


def redirect_to(endpoint: str, done: str | None = None, **values: Any) -> Response:
    """Post/redirect/get, keeping the verified token so the next page loads at once (it expires
    within a minute anyway; past that the patch-id-token page gets a fresh one)."""
    if done:
        values["done"] = done
    values.setdefault("id_token", admin().id_token)
    # flask's redirect() is typed as werkzeug's Response; it builds the app's flask Response.
    return cast(Response, flask_redirect(page_url(endpoint, **values), code=303))


# --- confirmations -------------------------------------------------------------------------
# An action that moves money or takes something away asks first. Inside Shopify the page's
# Polaris modal (<s-modal>) asks before the form goes; without Polaris (the CDN out of reach, no
# JavaScript) the server asks: a form posted without ``confirmed=1`` gets a page that says what
# will happen and carries the same fields on, with ``confirmed=1``. Either way the server only
# acts on a confirmed post.

CONFIRMED_FIELD = "confirmed"


def confirmed() -> bool:
    return request.form.get(CONFIRMED_FIELD) == "1"


def ask_to_confirm(
    heading: str,
    consequences: Sequence[str],
    confirm_label: str,
    *,
    back: str,
    tone: str = "critical",
    status: int = 200,
) -> Response:
    """The server's confirmation step: the consequences, then the same post confirmed."""
    carried = [
        (k, v) for k, v in request.form.items(multi=True) if k not in ("id_token", CONFIRMED_FIELD)
    ]
    return render(
        "admin/confirm.html",
        status=status,
        title=heading,
        heading=heading,
        consequences=list(consequences),
        confirm_label=confirm_label,
        carried=carried,
        action_url=request.full_path.rstrip("?"),
        back=back,
        tone=tone,
    )


def require(found: Any) -> Any:
    if found is None:
        abort(404)
    return found


_GROUPED = re.compile(r"^[-+]?\d{1,3}([,. \u202f]\d{3})+$")


def form_int(name: str) -> int | None:
    """A whole number as an operator types it: -100000, −100,000, 100.000 (German grouping)."""
    raw = (request.form.get(name) or "").strip().replace("−", "-")
    if _GROUPED.match(raw):
        raw = re.sub(r"[,. \u202f]", "", raw)
    try:
        return int(raw)
    except ValueError:
        return None


MAX_PAGE = 10_000


@dataclass(frozen=True)
class Page:
    """One page of a long list: its number (from ``?page=``, 1 to ``MAX_PAGE``) and size."""

    number: int
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def fetch(self) -> int:
        return self.size + 1  # one more row tells whether a next page exists

    def rows(self, fetched: list[Any]) -> tuple[list[Any], bool]:
        """The page's rows, and whether there is a next page."""
        return fetched[: self.size], len(fetched) > self.size


def requested_page(size: int) -> Page:
    number = request.args.get("page", default=1, type=int) or 1
    return Page(min(max(number, 1), MAX_PAGE), size)
