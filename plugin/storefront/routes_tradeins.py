"""Trade-in quotes and applications (POLICY.md 5).

POST /proxy/trade-in/quote, POST+GET /proxy/trade-ins, POST /proxy/trade-ins/<id>/tracking.
"""

from __future__ import annotations

from typing import Any

from flask import Response

from plugin.benefits import tradeins
from plugin.database.reads import finish_reads
from plugin.errors import ApiError
from plugin.program.benefits.tradein import TradeInCondition
from plugin.storefront.blueprint import bp
from plugin.storefront.context import app_proxy, json_body, require_customer
from plugin.storefront.rate_limit import RateLimited, limit_writes, rate_limited_response
from plugin.storefront.routes_devices import device_owner, limited, personal, positive_int

CONDITION_FIELDS = ("cosmetic_wear", "accessories_complete", "original_packaging", "working")


def condition_of(body: dict[str, Any]) -> TradeInCondition:
    raw = body.get("condition")
    if not isinstance(raw, dict) or not all(isinstance(raw.get(f), bool) for f in CONDITION_FIELDS):
        raise ApiError(
            400,
            "invalid_request",
            "condition must answer " + ", ".join(CONDITION_FIELDS) + " with true or false.",
        )
    return TradeInCondition(**{field: raw[field] for field in CONDITION_FIELDS})


# tradeins.quote ends the reading before it writes a quote; the device comes with the visit.
# The write limit counts the quotes that write a ``quoted`` trade-in: a quote with nothing to
# apply for writes nothing, it is a read like GET /proxy/devices (and skips a Redis round trip).
@bp.post("/trade-in/quote")
@app_proxy(device="device_id", autocommit_reads=True)
def quote_trade_in() -> Response:
    ctx, member = device_owner()
    body = json_body()
    device_id = positive_int(body, "device_id")
    condition = condition_of(body)
    read = ctx.device[1] if ctx.device is not None and ctx.device[0] == device_id else None

    def count_the_write() -> None:
        limit_writes(ctx.shop.id, str(ctx.customer_id), "trade_in_quote")

    try:
        answer, trade_in = tradeins.quote(
            ctx.shop,
            member,
            device_id,
            condition,
            actor=f"customer:{ctx.customer_id}",
            read=read,
            before_write=count_the_write,
        )
    except RateLimited as exc:
        return rate_limited_response(exc)
    view = tradeins.quote_view(ctx.shop, answer, trade_in, condition)
    finish_reads()
    return personal(view)


@bp.post("/trade-ins")
@app_proxy
def apply_for_trade_in() -> Response:
    ctx, member = device_owner()
    if (refused := limited(ctx, "trade_in")) is not None:
        return refused
    body = json_body()
    serial = body.get("serial")
    if serial is not None and not isinstance(serial, str):
        raise ApiError(400, "invalid_request", "serial must be text or null.")
    trade_in = tradeins.apply(
        ctx.shop,
        member,
        positive_int(body, "quote_id"),
        serial=serial,
        actor=f"customer:{ctx.customer_id}",
    )
    view = tradeins.trade_in_view(trade_in)
    finish_reads()
    return personal({"trade_in": view}, 201)


@bp.get("/trade-ins")
@app_proxy(autocommit_reads=True)
def list_trade_ins() -> Response:
    ctx = require_customer()
    member = ctx.member
    views = (
        [tradeins.trade_in_view(t) for t in tradeins.member_trade_ins(ctx.shop, member)]
        if member
        else []
    )
    finish_reads()
    return personal({"trade_ins": views})


@bp.post("/trade-ins/<int:trade_in_id>/tracking")
@app_proxy
def add_tracking(trade_in_id: int) -> Response:
    ctx, member = device_owner()
    if (refused := limited(ctx, "trade_in")) is not None:
        return refused
    body = json_body()
    trade_in = tradeins.mark_shipped(  # TradeInTransitionError is a 409 ApiError
        ctx.shop,
        trade_in_id,
        f"customer:{ctx.customer_id}",
        body.get("tracking_number"),
        body.get("carrier"),
        member=member,
    )
    view = tradeins.trade_in_view(trade_in)
    finish_reads()
    return personal({"trade_in": view})
