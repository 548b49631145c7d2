"""Registers the member-benefit periodic tasks (load_effects imports every module here): expiry of
unshipped trade-ins, late refunds, missing CTRL F feedback."""

import plugin.benefits.ctrlf  # noqa: F401
import plugin.benefits.returns  # noqa: F401
import plugin.benefits.tradeins  # noqa: F401
