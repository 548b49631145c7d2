"""The fake Admin API served on loopback for the benchmark, with a read-only stats endpoint.

``GET /_bench/stats`` answers how many GraphQL calls ended in each outcome (``throttled`` counts
the calls Shopify would have refused because the shop's cost bucket was exceeded) and how many
discount codes each shop has, so the redemption benchmark can check it never exceeded the bucket;
``GET /_bench/codes?shop=`` lists a shop's codes (the resilience suite checks none is doubled);
``POST /_bench/customers`` seeds customers (``{"shop": ..., "customers": [{"id", "email"}]}``).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from typing import Any

from werkzeug.serving import make_server

from plugin.shopify.fake import FakeAdminApi


def stats_app(fake: FakeAdminApi) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") == "/_bench/stats":
            calls = fake.calls
            outcomes = Counter(call.outcome for call in calls)
            shops = sorted({call.shop for call in calls})
            body = json.dumps(
                {
                    "calls": len(calls),
                    "outcomes": dict(outcomes),
                    "operations": dict(Counter(str(call.operation_name) for call in calls)),
                    "codes": {shop: len(fake.discount_codes(shop)) for shop in shops},
                }
            ).encode()
            start_response(
                "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
            )
            return [body]
        if environ.get("PATH_INFO") == "/_bench/codes":
            from urllib.parse import parse_qs

            shop = parse_qs(environ.get("QUERY_STRING", "")).get("shop", [""])[0]
            body = json.dumps({"codes": [c["code"] for c in fake.discount_codes(shop)]}).encode()
            start_response(
                "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
            )
            return [body]
        if (
            environ.get("PATH_INFO") == "/_bench/customers"
            and environ.get("REQUEST_METHOD") == "POST"
        ):
            length = int(environ.get("CONTENT_LENGTH") or 0)
            seed = json.loads(environ["wsgi.input"].read(length) or b"{}")
            for customer in seed.get("customers", []):
                fake.add_customer(
                    seed["shop"], email=customer["email"], customer_id=int(customer["id"])
                )
            start_response("204 No Content", [])
            return [b""]
        return fake(environ, start_response)

    return app


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fake_server")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    args = parser.parse_args()
    fake = FakeAdminApi(latency_ms=args.latency_ms)
    server = make_server("127.0.0.1", args.port, stats_app(fake), threaded=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
