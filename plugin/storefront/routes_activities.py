"""POST /proxy/activities: a logged-in member completed a survey (800 points, once per survey)."""

from __future__ import annotations

from flask import Response, jsonify

from plugin.errors import ApiError
from plugin.points.activities import complete_survey
from plugin.storefront.blueprint import bp
from plugin.storefront.context import app_proxy, json_body, require_member
from plugin.storefront.rate_limit import RateLimited, limit_writes, rate_limited_response


@bp.post("/activities")
@app_proxy
def record_activity() -> Response:
    ctx, member = require_member(active=True)
    try:
        limit_writes(ctx.shop.id, str(ctx.customer_id), "activities")
    except RateLimited as limited:
        return rate_limited_response(limited)
    body = json_body()
    if body.get("kind") != "survey":
        raise ApiError(
            400, "invalid_request", "kind must be 'survey' (reviews come from the review app)."
        )
    awarded, balance = complete_survey(ctx.shop, member, body.get("survey_id"))
    response = jsonify({"points_awarded": awarded, "balance": balance})
    response.headers["Cache-Control"] = "private, no-store"
    return response
