"""A fake Shopify Admin API for tests and the local demo (see `api.FakeAdminApi`)."""

from __future__ import annotations

from .api import DEFAULT_SCOPES, FAULT_KINDS, FakeAdminApi, FakeCall
from .clock import ManualClock

__all__ = ["DEFAULT_SCOPES", "FAULT_KINDS", "FakeAdminApi", "FakeCall", "ManualClock"]
