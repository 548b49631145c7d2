"""Every route the app serves under /proxy/ and /extension-api/ is an operation of openapi.yaml.

The test client checks every response it gets against the spec (tests/conftest.py); this covers
the routes no test has called yet, so a new route cannot ship undocumented.
"""

from __future__ import annotations

import re

from flask import Flask

from tests.conftest import CONTRACT_PREFIXES

from .openapi_check import load_spec, path_template_for

# A sample value per converter, to turn a Flask rule into a concrete path.
SAMPLES = {"int": "7", "path": "a/b", "default": "abc1"}


def concrete(rule: str) -> str:
    def sample(match: re.Match[str]) -> str:
        converter = (match.group(1) or "default").split("(")[0]
        return SAMPLES.get(converter, SAMPLES["default"])

    return re.sub(r"<(?:(\w+(?:\([^)]*\))?):)?\w+>", sample, rule)


def test_every_served_api_route_is_documented(app: Flask) -> None:
    paths = load_spec()["paths"]
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(CONTRACT_PREFIXES):
            continue
        try:
            template = path_template_for(concrete(rule.rule))
        except AssertionError:
            missing.append(f"{rule.rule} (no path)")
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if method.lower() not in paths[template]:
                missing.append(f"{method} {rule.rule} ({template})")
    assert not missing, "routes missing from openapi.yaml:\n  " + "\n  ".join(missing)
