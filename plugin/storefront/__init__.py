"""The storefront API behind the app proxy (/proxy/...), for the theme widgets.

Every request is verified with shopifyapp's ``verify_app_proxy_req``; the customer comes only
from the verified ``logged_in_customer_id``, never from a body or query field.
"""

from flask import Blueprint

bp = Blueprint("storefront", __name__, url_prefix="/proxy")

from plugin.storefront import member, routes_loader  # noqa: E402,F401  (routes register on import)

__all__ = ["bp"]
