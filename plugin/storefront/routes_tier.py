"""GET /proxy/tier: the member's VIP tier, what the next one needs, and the tier's history."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Response, jsonify

from plugin.database.reads import finish_reads
from plugin.program.money import format_plain
from plugin.rewards import tiers
from plugin.storefront.blueprint import bp
from plugin.storefront.context import app_proxy, require_member


def _amount(value: Decimal, basis: str, currency: str) -> str:
    return format_plain(value, currency) if basis == "money_spent" else str(int(value))


@bp.get("/tier")
@app_proxy
def get_tier() -> Response:
    ctx, member = require_member(active=True)
    shop = ctx.shop
    rules = tiers.rules(shop)
    body: dict[str, Any] = {"enabled": rules.enabled, "tier": None, "next": None, "changes": []}
    if rules.enabled:
        today = tiers._today(shop)
        amount = tiers.amounts(shop, rules, today, [member.id]).get(member.id, Decimal(0))
        row = tiers.current(shop, member.id)
        held = rules.by_key(row.tier_key) if row else None
        rank = rules.rank(row.tier_key if row else None)
        upcoming = rules.tiers[rank + 1] if rank + 1 < len(rules.tiers) else None
        body.update(
            basis=rules.basis,
            window=rules.window,
            currency=shop.currency,
            amount=_amount(amount, rules.basis, shop.currency),
            tier={
                "key": row.tier_key,
                "name": held.name if held else row.tier_name,
                "multiplier": str((held.multiplier if held else Decimal(1)).normalize()),
                "perk": held.perk if held else None,
                "perk_detail": held.perk_detail if held else "",
                "perk_code": tiers.delivered_perk_code(shop, member.id, held, row.period_ends_on),
                "period_ends_on": row.period_ends_on.isoformat() if row.period_ends_on else None,
            }
            if row
            else None,
            next={
                "key": upcoming.key,
                "name": upcoming.name,
                "threshold": _amount(upcoming.threshold, rules.basis, shop.currency),
                "remaining": _amount(
                    max(upcoming.threshold - amount, Decimal(0)), rules.basis, shop.currency
                ),
            }
            if upcoming
            else None,
            changes=[
                {
                    "from": c.from_key,
                    "to": c.to_key,
                    "cause": c.cause,
                    "at": c.created_at.isoformat(),
                }
                for c in tiers.changes(shop, member.id)
            ],
        )
    finish_reads()
    response = jsonify(body)
    response.headers["Cache-Control"] = "private, no-store"
    return response
