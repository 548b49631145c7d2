"""The storefront API behind the app proxy (/proxy/...), for the theme widgets.

Every request is verified with shopifyapp's ``verify_app_proxy_req``; the customer comes only
from the verified ``logged_in_customer_id``, never from a body or query field.

The route modules, one per widget, are listed here: a new widget's routes are a module and a line.
"""

from plugin.storefront import (  # noqa: F401  (the route modules: each adds its routes to bp)
    member,
    routes_activities,
    routes_birthday,
    routes_campaigns,
    routes_ctrlf,
    routes_devices,
    routes_returns,
    routes_rewards,
    routes_strings,
    routes_tier,
    routes_tradeins,
)
from plugin.storefront.blueprint import bp

__all__ = ["bp"]
