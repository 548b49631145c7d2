"""One clock: every "now" in plugin/ and webhooks/ comes from ``plugin.clock.now()`` (tests move it
with time-machine), so no module reads the wall clock on its own."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The clock itself; the old name that only delegates to it; the fake Admin API, whose clock a
# test injects.
ALLOWED = {"plugin/clock.py", "plugin/models/types.py"}
ALLOWED_UNDER = ("plugin/shopify/fake/",)
WALL_CLOCK = re.compile(
    r"\b(?:datetime\.now|datetime\.utcnow|date\.today|utcnow)\(|default=utcnow\b"
)


def test_no_module_reads_the_wall_clock_but_plugin_clock() -> None:
    offenders = []
    for path in sorted([*ROOT.glob("plugin/**/*.py"), *ROOT.glob("webhooks/**/*.py")]):
        name = path.relative_to(ROOT).as_posix()
        if name in ALLOWED or name.startswith(ALLOWED_UNDER):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if WALL_CLOCK.search(line):
                offenders.append(f"{name}:{number}: {line.strip()}")
    assert offenders == [], "use plugin.clock.now():\n" + "\n".join(offenders)
