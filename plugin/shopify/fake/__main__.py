"""Serve the fake Admin API on loopback, for runs with several processes.

    python -m plugin.shopify.fake --port 8765 --latency-ms 100

Point the app's Admin API clients at it with `plugin.shopify.transport.LoopbackTransport`.
"""

from __future__ import annotations

import argparse
import logging

from werkzeug.serving import make_server

from .api import FakeAdminApi


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m plugin.shopify.fake", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="interface to bind (default: 127.0.0.1)"
    )
    parser.add_argument("--port", type=int, default=8765, help="port (0 picks a free one)")
    parser.add_argument(
        "--latency-ms", type=float, default=0.0, help="added to every GraphQL request"
    )
    parser.add_argument(
        "--require-valid-tokens",
        action="store_true",
        help="accept only access tokens the fake issued (default: any non-empty token)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    fake = FakeAdminApi(latency_ms=args.latency_ms, require_valid_tokens=args.require_valid_tokens)
    server = make_server(args.host, args.port, fake, threaded=True)
    print(f"fake Shopify Admin API on http://{args.host}:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
