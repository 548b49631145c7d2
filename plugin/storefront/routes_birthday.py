"""GET and PUT /proxy/birthday: the member's birthday for the birthday reward (issue 19)."""

from __future__ import annotations

from flask import Response, jsonify

from plugin.database.reads import finish_reads
from plugin.points import birthdays
from plugin.storefront.blueprint import bp
from plugin.storefront.context import app_proxy, json_body, require_member
from plugin.storefront.rate_limit import RateLimited, limit_writes, rate_limited_response


def _personal(body: dict, status: int = 200) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/birthday")
@app_proxy
def get_birthday() -> Response:
    ctx, member = require_member(active=True)
    body = birthdays.view(ctx.shop, member).body()
    finish_reads()
    return _personal(body)


@bp.put("/birthday")
@app_proxy
def put_birthday() -> Response:
    ctx, member = require_member(active=True)
    try:
        limit_writes(ctx.shop.id, str(ctx.customer_id), "birthday")
    except RateLimited as limited:
        return rate_limited_response(limited)
    birthday = birthdays.parse(json_body())
    result = birthdays.set_birthday(ctx.shop, member, birthday)
    return _personal(result.body())
