"""Registers reconciliation as a periodic task (load_effects imports every module here)."""

import plugin.sync.reconcile  # noqa: F401
