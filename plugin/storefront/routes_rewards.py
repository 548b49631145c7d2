"""Rewards, redemptions and referrals for the theme widgets (POLICY.md 3, ARCHITECTURE.md flows).

GET /proxy/rewards, POST+GET /proxy/redemptions, GET /proxy/redemptions/<id>, GET /proxy/referral,
GET /proxy/r/<code>. A shopper sees only their own redemptions of this shop (invariant 5).
"""

from __future__ import annotations

from typing import Any, cast

from flask import Response, jsonify, redirect

from plugin.database.reads import finish_reads
from plugin.errors import ApiError
from plugin.models import Redemption
from plugin.models.types import is_row_id
from plugin.program.catalogue import RewardKind
from plugin.program.money import format_plain
from plugin.rewards import referrals, store_credit_rewards
from plugin.rewards.catalogue import list_rewards, percent_text
from plugin.rewards.redemptions import (
    customer_redemption,
    customer_redemptions,
    redeem,
    tier_allows,
)
from plugin.shops.registry import shown_title
from plugin.storefront.blueprint import bp
from plugin.storefront.context import (
    app_proxy,
    json_body,
    proxy_context,
    proxy_prefix,
    require_customer,
    require_member,
    wallet_balance,
)
from plugin.storefront.rate_limit import RateLimited, limit_writes, rate_limited_response


def _personal(body: Any, status: int = 200) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "private, no-store"
    return response


def redemption_body(redemption: Redemption) -> dict[str, Any]:
    return {
        "id": redemption.id,
        # "review" (a store credit Shopify may or may not have paid) is still pending to the
        # shopper.
        "status": "pending" if redemption.state == "review" else redemption.state,
        # Only an issued code can be used; a pending one may not exist at Shopify yet.
        "code": redemption.code if redemption.state == "issued" else None,
        "purpose": redemption.purpose,
        "reward": {
            "id": redemption.reward_id,
            "title": redemption.title,
            "kind": redemption.kind,
            "amount": format_plain(redemption.amount, redemption.currency)
            if redemption.amount is not None
            else None,
            "percentage": percent_text(redemption.percentage),
        },
        "points": redemption.points,
        "currency": redemption.currency,
        "created_at": redemption.created_at.isoformat(),
        "expires_at": redemption.expires_at.isoformat() if redemption.expires_at else None,
    }


@bp.get("/rewards")
@app_proxy(balance=True, autocommit_reads=True)
def rewards_catalogue() -> Response:
    ctx = proxy_context()
    shop = ctx.shop
    balance: int | None = None
    can_redeem = False
    if ctx.logged_in:
        balance = wallet_balance(ctx)
        can_redeem = ctx.member is not None and ctx.member.is_active and balance > 0
    store_credit_on = store_credit_rewards.enabled_as_known(shop)
    body = {
        "currency": shop.currency,
        "balance": balance,
        "can_redeem": can_redeem,
        "rewards": [
            {
                "id": reward.id,
                "title": shown_title(
                    reward.title, reward.kind, reward.amount, reward.percentage, shop
                ),
                "points": reward.points,
                "kind": reward.kind,
                "amount": format_plain(reward.amount, shop.currency)
                if reward.amount is not None
                else None,
                "percentage": percent_text(reward.percentage),
                "affordable": bool(can_redeem and balance is not None and balance >= reward.points),
            }
            for reward in list_rewards(shop)
            # Store credit only where the store lets customers use it (issue 19).
            if reward.kind != RewardKind.STORE_CREDIT or store_credit_on
            # A tier-only reward is listed to the members of its tiers only.
            if not reward.tier_keys
            or tier_allows(shop, ctx.member.id if ctx.member else None, reward.tier_keys)
        ],
    }
    finish_reads()
    if ctx.logged_in:
        return _personal(body)
    response = jsonify(body)
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


@bp.post("/redemptions")
@app_proxy
def create_redemption() -> Response:
    ctx, member = require_member(active=True)
    try:
        limit_writes(ctx.shop.id, str(ctx.customer_id), "redemptions")
    except RateLimited as limited:
        return rate_limited_response(limited)
    reward_id = json_body().get("reward_id")
    if not is_row_id(reward_id):
        raise ApiError(400, "invalid_request", "reward_id must be a positive integer.")
    redemption = redeem(ctx.shop, member, str(ctx.customer_id), reward_id)
    # The state at acceptance; the code is made by the outbox job (poll GET .../<id>).
    return _personal({"id": redemption.id, "status": "pending", "points": redemption.points}, 202)


@bp.get("/redemptions")
@app_proxy
def list_redemptions() -> Response:
    ctx = require_customer()
    body = {
        "redemptions": [
            redemption_body(r) for r in customer_redemptions(ctx.shop, str(ctx.customer_id))
        ]
    }
    finish_reads()
    return _personal(body)


@bp.get("/redemptions/<int:redemption_id>")
@app_proxy
def get_redemption(redemption_id: int) -> Response:
    ctx = require_customer()
    redemption = customer_redemption(ctx.shop, str(ctx.customer_id), redemption_id)
    if redemption is None:
        raise ApiError(404, "not_found", "No such redemption.")
    body = redemption_body(redemption)
    finish_reads()
    return _personal(body)


@bp.get("/referral")
@app_proxy
def referral() -> Response:
    ctx, member = require_member(active=True)
    body = referrals.summary(ctx.shop, member, proxy_prefix())
    return _personal(body)


@bp.get("/r/<code>")
@app_proxy
def follow_referral_link(code: str) -> Response:
    ctx = proxy_context()
    location = referrals.follow_link(ctx.shop, code, ctx.customer_id, proxy_prefix())
    # flask's redirect() is typed as werkzeug's Response; it builds the app's flask Response.
    response = cast(Response, redirect(location, 302))
    response.headers["Cache-Control"] = "private, no-store"
    return response
