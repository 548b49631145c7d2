"""Program results at the large-store size (issue 19): 200,000 members in one store.

    .venv/bin/python -m benchmarks.program_results [--members 200000] [--port 8108]

Builds a throwaway SQLite database (or uses DATABASE_URL), fills one store with members, ledger
entries, orders and redemptions spread over six months, then measures (1) the figures' queries
alone and (2) the admin home page in headless Chromium: its Largest Contentful Paint, which
Built for Shopify wants at 2.5 s or less. Prints one line per measurement.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import threading
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert


def build(app, members: int) -> str:  # type: ignore[no-untyped-def]
    from plugin import clock
    from plugin.extensions import db
    from plugin.models import Member, Order, PointEntry, Redemption, ShopCustomer, Wallet
    from plugin.shops.registry import add_shop

    shop = add_shop("tesmart-us.myshopify.com", "us")
    db.session.commit()
    rng = random.Random(19)
    now = clock.now()
    start = now - timedelta(days=183)
    span = (now - start).total_seconds()
    at = lambda: start + timedelta(seconds=rng.random() * span)  # noqa: E731
    batch = 20_000
    for first in range(0, members, batch):
        ids = range(first + 1, min(first + batch, members) + 1)
        joined = {i: at() for i in ids}
        db.session.execute(
            insert(Member),
            [
                {
                    "id": i,
                    "email_normalized": f"m{i}@example.com",
                    "email": f"m{i}@example.com",
                    "state": "open",
                    "activated_at": joined[i] + timedelta(days=1) if i % 3 else None,
                    "registered_at": joined[i],
                    "imported": False,
                    "created_at": joined[i],
                }
                for i in ids
            ],
        )
        db.session.execute(
            insert(ShopCustomer),
            [
                {
                    "shop_id": shop.id,
                    "customer_id": str(10_000_000 + i),
                    "member_id": i,
                    "email": f"m{i}@example.com",
                    "newsletter_subscribed": False,
                    "verified_email": True,
                    "orders_count": 0,
                    "created_at": joined[i],
                }
                for i in ids
            ],
        )
        entries, orders, wallets, redemptions = [], [], [], []
        for i in ids:
            balance = 0
            for n in range(3):
                delta = rng.choice((100, 2000, 2000, -500))
                balance += delta
                entries.append(
                    {
                        "shop_id": shop.id,
                        "member_id": i,
                        "delta": delta,
                        "kind": "order" if delta > 0 else "redemption",
                        "cause_key": f"b:{i}:{n}",
                        "created_at": at(),
                    }
                )
            wallets.append({"shop_id": shop.id, "member_id": i, "balance": balance})
            for n in range(rng.choice((0, 1, 1, 2))):
                orders.append(
                    {
                        "shop_id": shop.id,
                        "order_id": f"{i}-{n}",
                        "member_id": i,
                        "customer_id": str(10_000_000 + i),
                        "currency": "USD",
                        "net_amount": Decimal("99.00"),
                        "total_amount": Decimal("109.00"),
                        "refunded_amount": Decimal(0),
                        "points_awarded": 2000,
                        "points_clawed_back": 0,
                        "paid_at": at(),
                        "discount_codes": [f"TSM-{i}"] if i % 7 == 0 else [],
                        "test": False,
                        "created_at": now,
                    }
                )
            if i % 7 == 0:
                redemptions.append(
                    {
                        "shop_id": shop.id,
                        "member_id": i,
                        "customer_id": str(10_000_000 + i),
                        "purpose": "reward",
                        "title": "$5 off",
                        "points": 500,
                        "kind": "fixed_amount",
                        "amount": Decimal(5),
                        "currency": "USD",
                        "state": "issued",
                        "code": f"TSM-{i}",
                        "created_at": at(),
                    }
                )
        db.session.execute(insert(PointEntry), entries)
        db.session.execute(insert(Wallet), wallets)
        if orders:
            db.session.execute(insert(Order), orders)
        if redemptions:
            db.session.execute(insert(Redemption), redemptions)
        db.session.commit()
    return shop.domain


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=200_000)
    parser.add_argument("--port", type=int, default=8108)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import os

    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from plugin import create_app
    from plugin.extensions import db
    from plugin.models import Shop
    from plugin.reports import program_results

    tmp = tempfile.TemporaryDirectory()
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(tmp.name) / 'bench.sqlite3'}"
    app = create_app(
        {
            "TESTING": True,
            "DEV_MODE": "1",
            "SHOPIFY_API_KEY": "bench",
            "SHOPIFY_API_SECRET": "bench-secret",
            "SHOPIFY_OLD_API_SECRET": "",
            "APP_URL": f"http://127.0.0.1:{args.port}",
            "DATABASE_URL": url,
            "REDIS_URL": "",
            "SHOPIFY_ADMIN_API": "fake",
            "FAKE_ADMIN_URL": "",
            "TOKEN_ENCRYPTION_KEY": "bench-key",
        }
    )
    with app.app_context():
        upgrade(revision="heads")
        began = time.perf_counter()
        domain = build(app, args.members)
        print(f"built {args.members:,} members in {time.perf_counter() - began:.1f} s")
        shop = db.session.query(Shop).filter_by(domain=domain).one()
        timings = []
        for _ in range(args.runs):
            began = time.perf_counter()
            program_results.results(shop)
            timings.append(time.perf_counter() - began)
        print(
            f"figures for 6 months: median {statistics.median(timings) * 1000:.0f} ms over "
            f"{args.runs} runs"
        )
        db.session.remove()

    httpd = make_server("127.0.0.1", args.port, app, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"]
            )
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.route(
                "**/*",
                lambda route: (
                    route.continue_() if "127.0.0.1" in route.request.url else route.abort()
                ),
            )
            lcps = []
            for _ in range(args.runs):
                page.goto(f"http://127.0.0.1:{args.port}/dev/admin?shop={domain}&user=1")
                page.wait_for_selector("#program-results")
                lcp = page.evaluate(
                    """() => new Promise(ok => new PerformanceObserver(list => {
                        const e = list.getEntries(); ok(e[e.length - 1].startTime);
                    }).observe({type: 'largest-contentful-paint', buffered: true}))"""
                )
                lcps.append(lcp)
            print(
                f"admin home LCP: median {statistics.median(lcps):.0f} ms over {args.runs} loads "
                "(target <= 2500 ms)"
            )
            browser.close()
    finally:
        httpd.shutdown()
        tmp.cleanup()


if __name__ == "__main__":
    main()
