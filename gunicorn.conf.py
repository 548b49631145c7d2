"""gunicorn's settings for every process that serves the app (the Procfile's web, the benchmark).

gunicorn reads this file from the working directory; the command line still sets workers and bind.
"""

import gc
import os

# X-Forwarded-Proto (and the like) only from the proxies the operator names, the same list the
# app's own ProxyFix trusts (plugin/proxies.py); gunicorn's default would trust loopback.
forwarded_allow_ips = os.environ.get("TRUSTED_PROXIES", "")


def post_worker_init(worker: object) -> None:
    # What the app built while loading (modules, models, the URL map, compiled statements) lives as
    # long as the worker: about 120,000 objects, which a full garbage collection walks in ~30 ms,
    # stalling the request in hand. Frozen, they are left out of every collection.
    gc.freeze()


# The access log names the path without its query string (%(U)s, not %(r)s) and no Referer:
# app-proxy URLs carry `signature` and `logged_in_customer_id`, admin loads an `id_token`, and a
# logged one is a credential (issue 15).
access_log_format = '%(h)s - - %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss'
