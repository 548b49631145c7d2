"""The extensions API's blueprint (/extension-api/...): its route modules import it, and
``plugin/extension_api/__init__.py`` lists them."""

from flask import Blueprint, Response

bp = Blueprint("extension_api", __name__, url_prefix="/extension-api")


@bp.after_request
def _cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response.headers.setdefault("Cache-Control", "private, no-store")
    return response
