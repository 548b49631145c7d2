"""The app's Flow trigger extensions as the fake reads them: Flow accepts a trigger only for a
deployed ``flow_trigger`` extension, with a payload of exactly its fields."""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path

EXTENSIONS = Path(__file__).resolve().parents[3] / "extensions"


@functools.cache
def trigger_fields() -> dict[str, tuple[str, ...]]:
    """handle -> the payload keys its ``[[settings.fields]]`` declare."""
    found: dict[str, tuple[str, ...]] = {}
    for path in sorted(EXTENSIONS.glob("*/shopify.extension.toml")):
        config = tomllib.loads(path.read_text(encoding="utf-8"))
        for extension in config.get("extensions", []):
            if extension.get("type") != "flow_trigger":
                continue
            keys = []
            for field in extension.get("settings", {}).get("fields", []) or config.get(
                "settings", {}
            ).get("fields", []):
                kind = field["type"]
                keys.append(
                    f"{kind.removesuffix('_reference')}_id"
                    if kind.endswith("_reference")
                    else field["key"]
                )
            found[extension["handle"]] = tuple(keys)
    return found
