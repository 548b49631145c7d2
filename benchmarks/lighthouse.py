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


CASES = (
    ("visitor", "without app"),
    ("visitor", "with app"),
    ("member", "without app"),
    ("member", "with app"),
)


def measure(runs: int, port: int = 0, log: Any = print) -> dict[str, Any]:
    """Each case's median metrics, and each shopper's weighted drop (points lost with the app)."""
    saved = os.environ.get("FLASK_DEBUG")
    os.environ.setdefault("FLASK_DEBUG", "1")
    try:
        base, http = serve(port)
    finally:
        if saved is None:
            os.environ.pop("FLASK_DEBUG", None)
    log(f"  local storefront on {base}; load average {load_average()}")
    customers = {"visitor": "", "member": http.member}
    queries = {"without app": WITHOUT_APP, "with app": WITH_APP}
    medians: dict[tuple[str, str], dict[str, float]] = {}
    try:
        for who, app in CASES:
            url = f"{base}/dev/storefront?shop={SHOP}&customer={customers[who]}&{queries[app]}"
            scores = [score(url) for _ in range(runs)]
            median = {m: statistics.median(r[m] for r in scores) for m in scores[0]}
            medians[(who, app)] = median
            log(
                f"  {who:<8} {app:<12} scores {[r['score'] for r in scores]} median "
                f"{median['score']:.0f} · FCP {median['fcp_ms']:.0f} ms · LCP "
                f"{median['lcp_ms']:.0f} ms · TBT {median['tbt_ms']:.0f} ms · CLS "
                f"{median['cls']:.3f}"
            )
    finally:
        http.shutdown()
        shutil.rmtree(http.folder, ignore_errors=True)
    drops = {
        who: weighted(
            {
                kind: medians[(who, "without app")]["score"] - medians[(who, "with app")]["score"]
                for kind in LOCAL_PAGE_KINDS
            }
        )
        for who in customers
    }
    return {"medians": medians, "drops": drops, "runs": runs}


def load_average() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def rows(runs: int) -> list[Any]:
    """The benchmark's rows (``python -m benchmarks --only lighthouse``): each shopper's page with
    the app beside the same page without it, and the weighted drop against its target."""
    from benchmarks.scenarios import Row

    figures = measure(runs, log=lambda line: print(line, flush=True))
    medians, drops = figures["medians"], figures["drops"]
    out = []
    for who in ("visitor", "member"):
        with_app, without = medians[(who, "with app")], medians[(who, "without app")]
        out.append(
            Row(
                f"Lighthouse, {who}: storefront page with the app's blocks and launcher (mobile)",
                f"{with_app['score']:.0f} points",
                f"drop ≤ {FLOOR_POINTS:.0f} points",
                drops[who] <= FLOOR_POINTS,
                f"drop {drops[who]:+.1f} points weighted; median of {runs} run(s) per page; with "
                f"the app FCP {with_app['fcp_ms']:.0f} ms, LCP {with_app['lcp_ms']:.0f} ms, TBT "
                f"{with_app['tbt_ms']:.0f} ms, CLS {with_app['cls']:.3f}; without it FCP "
                f"{without['fcp_ms']:.0f} ms, LCP {without['lcp_ms']:.0f} ms, TBT "
                f"{without['tbt_ms']:.0f} ms",
                floor=f"{without['score']:.0f} points without the app",
            )
        )
    worst = max(drops.values())
    out.append(
        Row(
            "Lighthouse drop with the app, weighted as Built for Shopify weighs pages",
            f"{worst:+.1f} points",
            f"≤ {FLOOR_POINTS:.0f} points (Shopify allows 10)",
            worst <= FLOOR_POINTS,
            "the worse of visitor and member; home 17%, product 40%, collection 43%: the local "
            "storefront has one page kind, which stands for all three; load average "
            + load_average(),
        )
    )
    return out


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
    figures = measure(args.runs, args.port, log=lambda line: print(line, flush=True))
    print(
        f"\nweights (Built for Shopify): {', '.join(f'{k} {v:.0%}' for k, v in WEIGHTS.items())};"
        " the local storefront has one page kind, which stands for all three"
    )
    for who, total in figures["drops"].items():
        print(
            f"  {who:<8} weighted drop {total:+.1f} points (floor: at most {FLOOR_POINTS:.0f})"
            f" {'met' if total <= FLOOR_POINTS else 'NOT met'}"
        )
    print(f"load average at end {load_average()} (a shared machine: scores vary with load)")
    return 0 if max(figures["drops"].values()) <= FLOOR_POINTS else 1


if __name__ == "__main__":
    sys.exit(main())
