"""The API of the checkout and customer-account UI extensions (/extension-api/...).

Requests carry a session token (``Authorization: Bearer``) verified with shopifyapp's
``verify_checkout_ui_ext_req`` / ``verify_customer_account_ui_ext_req``; the shop is the token's
``dest``, the customer its ``sub`` (present only when the buyer is logged in). Extensions run on
Shopify's origins, so every answer carries CORS headers and preflights need no token.
"""

from flask import Blueprint, Response

bp = Blueprint("extension_api", __name__, url_prefix="/extension-api")


@bp.after_request
def _cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response.headers.setdefault("Cache-Control", "private, no-store")
    return response


from plugin.extension_api import checkout, devices  # noqa: E402,F401  (routes)

__all__ = ["bp"]
