"""Send `https://{shop}.myshopify.com/...` requests to a fake Admin API on a loopback URL.

In one process the fake is reached with `httpx.WSGITransport`. Benchmarks and the multi-process demo
(gunicorn workers plus rq workers) need all processes to share one fake, served with
`python -m plugin.shopify.fake --port 8765`; this transport points every process's Admin API client
at it, without touching the URLs that shopify_app builds. The fake tells shops apart by the original
host, passed on in `X-Forwarded-Host`.
"""

from __future__ import annotations

import httpx

FORWARDED_HOST = "X-Forwarded-Host"
_SHOPIFY_SUFFIX = ".myshopify.com"


class LoopbackTransport(httpx.BaseTransport):
    """Rewrites myshopify.com requests to `base_url` (e.g. `http://127.0.0.1:8765`).

    Only loopback targets make sense here, and only Shopify hosts are forwarded: a request for any
    other host is refused, so a misconfigured demo cannot leak a token elsewhere.
    """

    def __init__(self, base_url: str, *, inner: httpx.BaseTransport | None = None) -> None:
        self.base_url = httpx.URL(base_url.rstrip("/"))
        if self.base_url.scheme not in ("http", "https"):
            raise ValueError(f"LoopbackTransport needs an http(s) base URL, not {base_url!r}")
        self._inner = inner if inner is not None else httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        if not host.endswith(_SHOPIFY_SUFFIX):
            raise httpx.ConnectError(
                f"LoopbackTransport forwards only *{_SHOPIFY_SUFFIX}, not {host}", request=request
            )
        target = self.base_url.copy_with(
            path=self.base_url.path.rstrip("/") + request.url.path,
            query=request.url.query or None,
        )
        headers = [
            (name, value) for name, value in request.headers.multi_items() if name.lower() != "host"
        ]
        headers.append((FORWARDED_HOST, host))
        forwarded = httpx.Request(
            request.method,
            target,
            headers=headers,
            content=request.read(),
            extensions=request.extensions,
        )
        return self._inner.handle_request(forwarded)

    def close(self) -> None:
        self._inner.close()
