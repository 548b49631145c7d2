"""The type checker's settings keep their promise (docs/CONVENTIONS.md, Types): no module has its
errors waived, and every layer below the faces, as the import contract draws them, is checked
strictly, as is the app's plumbing."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def _pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _strict_patterns(config: dict[str, Any]) -> set[str]:
    strict: set[str] = set()
    for override in config["tool"]["mypy"].get("overrides", []):
        if override.get("disallow_untyped_defs") and override.get("warn_return_any"):
            modules = override["module"]
            strict.update([modules] if isinstance(modules, str) else modules)
    return strict


def _covered(module: str, patterns: set[str]) -> bool:
    """mypy's override patterns: ``a.b`` is the module itself, ``a.b.*`` it and its submodules."""
    parts = module.split(".")
    return module in patterns or any(
        ".".join(parts[:n]) + ".*" in patterns for n in range(1, len(parts) + 1)
    )


def test_no_module_has_its_type_errors_waived() -> None:
    overrides = _pyproject()["tool"]["mypy"].get("overrides", [])
    waived = [o["module"] for o in overrides if o.get("ignore_errors")]
    assert waived == []


def test_every_layer_below_the_faces_and_the_plumbing_is_strict() -> None:
    config = _pyproject()
    contracts = {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}
    below_faces = [
        name.strip() for layer in contracts["layers"]["layers"][1:] for name in layer.split(":")
    ]
    plumbing = contracts["foundation"]["source_modules"]
    patterns = _strict_patterns(config)
    assert below_faces and plumbing
    not_strict = [m for m in [*below_faces, *plumbing, "webhooks"] if not _covered(m, patterns)]
    assert not_strict == []


def test_a_package_off_the_strict_list_is_seen() -> None:
    patterns = {"plugin.points.*", "plugin.ledger"}
    assert _covered("plugin.points", patterns)
    assert _covered("plugin.points.orders", patterns)
    assert _covered("plugin.ledger", patterns)
    assert not _covered("plugin.ledger.entries", patterns)
    assert not _covered("plugin.rewards", patterns)
