"""The storefront API's blueprint (/proxy/...): its route modules import it, and
``plugin/storefront/__init__.py`` lists them."""

from flask import Blueprint, Response

bp = Blueprint("storefront", __name__, url_prefix="/proxy")


@bp.after_request
def _private_unless_public(response: Response) -> Response:
    # Only a view that knows its answer is the same for every visitor marks it public (anonymous
    # GET /member and /rewards); anything else may be personal and is never stored by a cache.
    response.headers.setdefault("Cache-Control", "private, no-store")
    return response
