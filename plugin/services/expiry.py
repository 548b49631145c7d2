"""Points expiry (POLICY.md 3): off by default; when on, points unused for N months expire."""

from __future__ import annotations

from datetime import date

from plugin.models import Shop
from plugin.program.calendar import add_months
from plugin.services import ledger
from plugin.services.shop_settings import program_settings


def upcoming(shop: Shop, member_id: int) -> tuple[int, date] | None:
    """(points, on which day) that will expire without further activity, or None."""
    months = program_settings(shop).points_expiry_months
    if months is None:
        return None
    from plugin.extensions import db
    from plugin.models import Wallet

    wallet = db.session.query(Wallet).filter_by(shop_id=shop.id, member_id=member_id).one_or_none()
    if wallet is None or wallet.last_activity_at is None:
        return None
    balance = ledger.balance(shop.id, member_id)
    if balance <= 0:
        return None
    return balance, add_months(wallet.last_activity_at.date(), months)
