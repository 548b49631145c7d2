"""The storefront API behind the app proxy (/proxy/...), for the theme widgets.

Every request is verified with shopifyapp's ``verify_app_proxy_req``; the customer comes only
from the verified ``logged_in_customer_id``, never from a body or query field.
"""

from flask import Blueprint, Response

bp = Blueprint("storefront", __name__, url_prefix="/proxy")


@bp.after_request
def _private_unless_public(response: Response) -> Response:
    # Only a view that knows its answer is the same for every visitor marks it public (anonymous
    # GET /member and /rewards); anything else may be personal and is never stored by a cache.
    response.headers.setdefault("Cache-Control", "private, no-store")
    return response


from plugin.storefront import member, routes_loader  # noqa: E402,F401  (routes register on import)

__all__ = ["bp"]
