"""Every storefront API route in openapi.yaml is reachable from a theme widget or the launcher,
or is listed here as made for integrations only, with why."""

from __future__ import annotations

import re
from pathlib import Path

from tests.contract.openapi_check import load_spec

ROOT = Path(__file__).resolve().parents[2]
ASSETS = ROOT / "extensions" / "tesmart-theme" / "assets"
SPEC = load_spec()

INTEGRATION_ONLY = {
    (
        "post",
        "/proxy/activities",
    ): "a survey tool reports a completed survey for the logged-in member",
}


def widget_source() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(ASSETS.glob("*.js")))


def reachable(template: str, source: str) -> bool:
    """The path's fixed pieces, as the script writes them ('/devices/' + id + '/serial')."""
    rest = template.removeprefix("/proxy")
    pieces = [p for p in re.split(r"\{\w+\}", rest) if p]
    if template == "/proxy/r/{code}":  # the link the referral landing sends a friend back through
        return "c.base + '/r/'" in source
    return all(f"'{p}" in source or f"{p}'" in source for p in pieces)


def test_every_storefront_route_is_reachable_from_a_widget_or_listed_as_integration_only() -> None:
    source = widget_source()
    missing = []
    for template, item in SPEC["paths"].items():
        if not template.startswith("/proxy/"):
            continue
        for method in item:
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            if (method, template) in INTEGRATION_ONLY:
                continue
            if not reachable(template, source):
                missing.append(f"{method.upper()} {template}")
    assert missing == [], "no widget calls these (or list them as integration-only): " + ", ".join(
        missing
    )


def test_the_integration_only_list_names_real_routes() -> None:
    for method, template in INTEGRATION_ONLY:
        assert method in SPEC["paths"][template]


def test_a_route_no_widget_calls_is_caught() -> None:
    assert not reachable("/proxy/nowhere/{id}/at-all", widget_source())
