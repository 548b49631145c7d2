"""Outbox effects, one module per Shopify side effect family; importing registers them."""

from __future__ import annotations

import importlib
import pkgutil

_loaded = False


def load_effects() -> None:
    global _loaded
    if _loaded:
        return
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    _loaded = True
