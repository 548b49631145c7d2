"""Lighthouse: the storefront's performance score without the app and with it (issue 20).

    python -m benchmarks.lighthouse            # 3 runs per case, the median; about 5 minutes
    python -m benchmarks.lighthouse --runs 1   # a smoke run

The local storefront (dev mode, SQLite, the demo data) is served on loopback; the npm
``lighthouse`` of package.json audits it with the machine's Chromium (``CHROME_PATH``, default
/usr/bin/chromium; no browser is downloaded), mobile preset, performance only. Four cases:
a visitor and a member (Ada of the demo), each on the page without the app's blocks and launcher
embed (``blocks=none&embed=0``) and on the same page with the member status and rewards blocks
and the launcher. Lighthouse scores move with the machine's load: each case runs ``--runs`` times
and the median counts; the load average is printed beside the figures.

Shopify weighs the score difference over the home page (17%), the most visited product page (40%)
and the most visited collection page (43%). The local storefront has one page kind, so its
difference stands for all three and the weighting keeps it as it is; the weights are printed so
that a storefront with the three kinds can be weighted the same way. Floor: the app's weighted
drop is at most 3 points (Shopify's requirement is 10).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHOP = "tesmart-us.myshopify.com"
# Built for Shopify's weights of the pages it measures (shopify.dev, "Storefront performance").
WEIGHTS = {"home": 0.17, "product": 0.40, "collection": 0.43}
# The local storefront has one page; it stands for every kind Shopify weighs.
LOCAL_PAGE_KINDS = {
    "home": "/dev/storefront",
    "product": "/dev/storefront",
    "collection": "/dev/storefront",
}
FLOOR_POINTS = 3.0
WITHOUT_APP = "blocks=none&embed=0"
WITH_APP = "blocks=member-status,rewards"
CHROME_FLAGS = "--headless --no-sandbox --disable-gpu --disable-background-networking"


def lighthouse_command() -> list[str]:
    found = os.environ.get("LIGHTHOUSE") or str(ROOT / "node_modules" / ".bin" / "lighthouse")
    if not Path(found).exists():
        raise SystemExit(
            "npm lighthouse is missing: run `npm install` (package.json devDependencies)"
        )
    return [found]


def serve(port: int) -> tuple[str, Any]:
    """The app with the demo loaded, on loopback, in this process (jobs in-process)."""
    from werkzeug.serving import make_server

    from plugin import create_app
    from plugin.devtools.demo import load_demo
    from plugin.extensions import db
    from plugin.jobs.queue import InProcessQueue

    folder = Path(tempfile.mkdtemp(prefix="tesmart-lighthouse-"))
    app = create_app(
        {
            "DEV_MODE": "1",
            "APP_URL": "http://127.0.0.1",
            "DATABASE_URL": f"sqlite:///{folder / 'lighthouse.db'}",
            "REDIS_URL": "",
            "SHOPIFY_ADMIN_API": "fake",
            "FAKE_ADMIN_URL": "",
            "TOKEN_ENCRYPTION_KEY": "lighthouse-token-encryption-key-0123456789",
            "DEV_MAILBOX": str(folder / "mail"),
        }
    )
    app.extensions["tesmart_queue"] = InProcessQueue()
    with app.app_context():
        from flask_migrate import upgrade

        upgrade(directory=str(ROOT / "migrations"), revision="heads")
        summary = load_demo(force=True)
        db.session.remove()
    member = next(s["customers"][0] for s in summary["shops"] if s["shop"] == SHOP)
    import logging

    logging.getLogger("werkzeug").setLevel(
        logging.WARNING
    )  # one line per request would bury the figures
    http = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    http.member = member  # type: ignore[attr-defined]
    http.folder = folder  # type: ignore[attr-defined]
    return f"http://127.0.0.1:{http.server_port}", http


def score(url: str) -> dict[str, float]:
    """One Lighthouse run (mobile preset, performance only): the score and its main metrics."""
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    out = subprocess.run(
        [
            *lighthouse_command(),
            url,
            "--only-categories=performance",
            "--output=json",
            "--output-path=stdout",
            "--quiet",
            f"--chrome-flags={CHROME_FLAGS}",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
        check=False,
    )
    if out.returncode != 0 or not out.stdout.strip():
        raise RuntimeError(f"lighthouse failed ({out.returncode}): {out.stderr.strip()[-500:]}")
    report = json.loads(out.stdout)
    audits = report["audits"]
    return {
        "score": round(report["categories"]["performance"]["score"] * 100, 1),
        "fcp_ms": audits["first-contentful-paint"]["numericValue"],
        "lcp_ms": audits["largest-contentful-paint"]["numericValue"],
        "tbt_ms": audits["total-blocking-time"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
    }


def weighted(differences: dict[str, float]) -> float:
    return sum(WEIGHTS[kind] * differences[kind] for kind in WEIGHTS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.lighthouse", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--runs", type=int, default=3, help="Lighthouse runs per case; the median counts"
    )
    parser.add_argument(
        "--port", type=int, default=0, help="the local storefront's port (0: any free one)"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("FLASK_DEBUG", "1")
    base, http = serve(args.port)
    print(
        f"local storefront on {base}; load average "
        f"{' / '.join(f'{x:.2f}' for x in os.getloadavg())}",
        flush=True,
    )
    cases = {
        (who, app): f"{base}/dev/storefront?shop={SHOP}&customer={customer}&{query}"
        for who, customer in (("visitor", ""), ("member", http.member))
        for app, query in (("without app", WITHOUT_APP), ("with app", WITH_APP))
    }
    medians: dict[tuple[str, str], dict[str, float]] = {}
    try:
        for key, url in cases.items():
            runs = [score(url) for _ in range(args.runs)]
            median = {m: statistics.median(r[m] for r in runs) for m in runs[0]}
            medians[key] = median
            print(
                f"  {key[0]:<8} {key[1]:<12} scores {[r['score'] for r in runs]} median "
                f"{median['score']:.0f} · FCP {median['fcp_ms']:.0f} ms · LCP "
                f"{median['lcp_ms']:.0f} ms · TBT {median['tbt_ms']:.0f} ms · CLS "
                f"{median['cls']:.3f}",
                flush=True,
            )
    finally:
        http.shutdown()
        shutil.rmtree(http.folder, ignore_errors=True)
    print(
        f"\nweights (Built for Shopify): {', '.join(f'{k} {v:.0%}' for k, v in WEIGHTS.items())};"
        " the local storefront has one page kind, which stands for all three"
    )
    worst = 0.0
    for who in ("visitor", "member"):
        drop = medians[(who, "without app")]["score"] - medians[(who, "with app")]["score"]
        total = weighted({kind: drop for kind in LOCAL_PAGE_KINDS})
        worst = max(worst, total)
        print(
            f"  {who:<8} weighted drop {total:+.1f} points (floor: at most {FLOOR_POINTS:.0f})"
            f" {'met' if total <= FLOOR_POINTS else 'NOT met'}"
        )
    print(
        f"load average at end {' / '.join(f'{x:.2f}' for x in os.getloadavg())} (a shared machine: "
        "scores vary with load)"
    )
    return 0 if worst <= FLOOR_POINTS else 1


if __name__ == "__main__":
    sys.exit(main())
