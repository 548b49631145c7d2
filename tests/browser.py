"""Headless Chromium for browser tests: Debian's build, never a downloaded one."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}
# Every URL but loopback's. Chromium asks the route only about these (the pattern is matched in
# the driver), so the page's own requests to the test server are not each stopped and sent on by
# a Python handler (several milliseconds a request, hundreds a module).
OFF_LOOPBACK = re.compile(
    r"^(?!(?:https?|wss?)://(?:127\.0\.0\.1|localhost|\[::1\])(?::\d+)?(?:[/?#]|$))"
)


def block_off_loopback(context: Any) -> list[str]:
    """Abort every request of ``context`` that leaves this machine; the URLs, in order."""
    blocked: list[str] = []

    def abort(route: Any) -> None:
        if urlsplit(route.request.url).hostname in LOOPBACK:
            route.continue_()  # the pattern let a loopback URL through: send it on all the same
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route(OFF_LOOPBACK, abort)
    return blocked


def launch_chromium(playwright: Any) -> Any:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
