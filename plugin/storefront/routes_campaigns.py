"""POST /proxy/campaigns/<id>/code: an activated member's code for a member-only offer."""

from __future__ import annotations

from flask import Response, jsonify

from plugin.points.campaigns import member_campaign_code
from plugin.storefront.blueprint import bp
from plugin.storefront.context import app_proxy, require_member
from plugin.storefront.rate_limit import limit_writes
from plugin.storefront.routes_rewards import redemption_body


@bp.post("/campaigns/<int:campaign_id>/code")
@app_proxy
def campaign_code(campaign_id: int) -> tuple[Response, int]:
    ctx, member = require_member()
    limit_writes(ctx.shop.id, str(ctx.customer_id), "campaigns")
    redemption = member_campaign_code(ctx.shop, member, ctx.customer_id or "", campaign_id)
    return jsonify(redemption_body(redemption)), 202
