"""Forwarded headers, trusted only from the proxies the operator names (``TRUSTED_PROXIES``).

Behind a TLS-terminating proxy the app sees plain HTTP from the proxy's address; the scheme and
host the shopper or merchant used arrive as ``X-Forwarded-Proto``/``-Host``/``-Port``/``-For``.
Every absolute URL the app builds (shopifyapp's session-token bounce, redirects) must say
``https`` then, or the admin's https iframe refuses it. Anyone can send those headers, so they
are applied (werkzeug's ``ProxyFix``, one hop) only when the connection comes from a configured
proxy address or network; from anyone else they are ignored. gunicorn's ``forwarded_allow_ips``
is set from the same list (gunicorn.conf.py).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from werkzeug.middleware.proxy_fix import ProxyFix

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(value: str) -> tuple[Network, ...]:
    """``"10.0.0.5, 172.16.0.0/12"`` as networks; raises ValueError for anything else."""
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False)
        for part in value.split(",")
        if part.strip()
    )


class TrustedProxyFix:
    """``ProxyFix`` for requests whose peer is a trusted proxy; the WSGI environ untouched
    otherwise."""

    def __init__(self, wsgi_app: Any, networks: Iterable[Network]) -> None:
        self.networks = tuple(networks)
        self.plain = wsgi_app
        self.fixed = ProxyFix(wsgi_app, x_for=1, x_proto=1, x_host=1, x_port=1)

    def trusted(self, peer: str | None) -> bool:
        try:
            address = ipaddress.ip_address((peer or "").strip())
        except ValueError:
            return False
        return any(address in network for network in self.networks)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if self.trusted(environ.get("REMOTE_ADDR")):
            return self.fixed(environ, start_response)
        return self.plain(environ, start_response)
