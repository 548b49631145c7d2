"""GET /proxy/strings: the launcher panels' strings, fetched when the launcher is first opened."""

from __future__ import annotations

import re

from flask import Response, jsonify, request

from plugin.errors import ApiError
from plugin.storefront.blueprint import bp
from plugin.storefront.context import app_proxy
from plugin.storefront.theme_strings import PANEL_GROUPS, flat

_LOCALE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


@bp.get("/strings")
@app_proxy
def get_strings() -> Response:
    locale = (request.args.get("locale") or "en").strip()
    if len(locale) > 35 or not _LOCALE.match(locale):
        raise ApiError(400, "invalid_locale", "locale must be a language tag such as de or pt-BR.")
    response = jsonify({"locale": locale, "strings": flat(locale, PANEL_GROUPS)})
    # The same for every visitor of the store's language: a shared cache may keep it.
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
