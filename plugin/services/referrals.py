"""Referrals (POLICY.md 3). The order hooks are called by the orders webhook handlers."""

from __future__ import annotations

from plugin.models import Order, Shop


def on_order_paid(shop: Shop, order: Order) -> None:
    """A friend's first order paid: the referrer's coupon (rules in plugin.program.referrals)."""


def on_order_reversed(shop: Shop, order: Order) -> None:
    """A referred order cancelled or fully refunded: the referrer's unused code is disabled."""
