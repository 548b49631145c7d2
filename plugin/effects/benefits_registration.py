"""Registers the member-benefit periodic tasks (load_effects imports every module here): expiry of
unshipped trade-ins, late refunds, missing CTRL F feedback."""

import plugin.services.ctrlf  # noqa: F401
import plugin.services.returns  # noqa: F401
import plugin.services.tradeins  # noqa: F401
