"""Registers reconciliation as a periodic task (load_effects imports every module here)."""

import plugin.services.reconcile  # noqa: F401
