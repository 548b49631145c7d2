"""The patch-id-token page: where a document load without a (fresh) session token is sent.

On Shopify it is shopifyapp's App Bridge page, which obtains a new token and reloads the page
with it. In dev mode, with the local admin entry's cookie, the app mints the token itself, since
App Bridge cannot run outside Shopify's admin.
"""

from __future__ import annotations

from flask import Response, current_app

from plugin.admin.blueprint import bp
from plugin.shopify_app import request_input, shopify


@bp.get("/auth/patch-id-token")
def patch_id_token() -> Response:
    # Dev mode's local admin entry installs it (the app factory); production never imports it.
    reload_with_fresh_token = current_app.extensions.get("reload_with_fresh_token")
    if reload_with_fresh_token is not None:
        reloaded = reload_with_fresh_token()
        if reloaded is not None:
            return reloaded
    result = shopify().app_home_patch_id_token(request_input(body=""))
    response = Response(result.response.body, status=result.response.status)
    response.headers.update(result.response.headers)
    return response
