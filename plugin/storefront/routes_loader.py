"""Route modules of the storefront API register themselves on import (one module per widget)."""

import importlib
import pkgutil

import plugin.storefront as _package

for _module in pkgutil.iter_modules(_package.__path__):
    if _module.name.startswith("routes_") and _module.name != "routes_loader":
        importlib.import_module(f"{_package.__name__}.{_module.name}")
