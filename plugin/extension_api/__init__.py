"""The API of the checkout and customer-account UI extensions (/extension-api/...).

Requests carry a session token (``Authorization: Bearer``) verified with shopifyapp's
``verify_checkout_ui_ext_req`` / ``verify_customer_account_ui_ext_req``; the shop is the token's
``dest``, the customer its ``sub`` (present only when the buyer is logged in). Extensions run on
Shopify's origins, so every answer carries CORS headers and preflights need no token.
"""

from plugin.extension_api import checkout, devices  # noqa: F401  (the route modules)
from plugin.extension_api.blueprint import bp

__all__ = ["bp"]
