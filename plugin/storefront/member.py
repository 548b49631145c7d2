"""GET /proxy/member: the TESmart ID status, points, benefits and what to do next."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from plugin import clock
from plugin.accounts import cohort_of, id_status
from plugin.database.reads import finish_reads
from plugin.points import expiry
from plugin.points.campaigns import listed_campaigns
from plugin.program.benefits.ctrlf import ADVERTISED_PERCENT
from plugin.program.cohorts import Cohort
from plugin.program.money import format_plain
from plugin.program.regions import STORES, Region
from plugin.program.terms import MemberTerms, member_terms, term_sentences
from plugin.rewards.referrals import friend_coupon_amount
from plugin.shops.settings import ProgramSettings, program_settings
from plugin.storefront.blueprint import bp
from plugin.storefront.context import (
    ProxyContext,
    app_proxy,
    proxy_context,
    proxy_prefix,
    wallet_balance,
)


def own_terms(ctx: ProxyContext, cohort: Cohort | None) -> MemberTerms | None:
    """What this member's cohort gives in this store's region (plugin.program.terms)."""
    if cohort is None:
        return None
    return member_terms(cohort, STORES[Region(ctx.shop.region)].country)


def shop_block(ctx: ProxyContext) -> dict[str, Any]:
    shop = ctx.shop
    return {
        "domain": shop.domain,
        "region": shop.region,
        "currency": shop.currency,
        "locale": shop.locale,
    }


def referral_block(ctx: ProxyContext) -> dict[str, Any] | None:
    member = ctx.member
    if member is None or not member.is_active or not member.referral_code:
        return None
    host = ctx.shop.storefront_host or ctx.shop.domain
    return {
        "code": member.referral_code,
        "url": f"https://{host}{proxy_prefix()}/r/{member.referral_code}",
    }


def expiring_block(
    ctx: ProxyContext, settings: ProgramSettings | None = None
) -> dict[str, Any] | None:

    member = ctx.member
    if member is None:
        return None
    upcoming = expiry.upcoming(ctx.shop, member.id, settings=settings)
    if upcoming is None or upcoming[0] <= 0:
        return None
    return {"points": upcoming[0], "on": upcoming[1].isoformat()}


def offer_block(ctx: ProxyContext, settings: ProgramSettings) -> dict[str, Any]:
    """What the program offers in this store, for the join pitch: the same for every visitor."""

    return {
        "referral_amount": format_plain(friend_coupon_amount(ctx.shop), ctx.shop.currency),
        "currency": ctx.shop.currency,
        "warranty_years": 3,  # POLICY.md 4: extended to 3 years from the purchase
        "ctrl_f_percent": format(ADVERTISED_PERCENT.normalize(), "f"),
    }


def next_steps(ctx: ProxyContext, status: str, balance: int | None) -> list[str]:
    if not ctx.logged_in:
        return ["log_in"]
    steps = []
    if status != "active":
        steps.append("activate")
    if ctx.customer is not None and not ctx.customer.newsletter_subscribed:
        steps.append("subscribe_newsletter")
    steps += ["place_order", "complete_survey", "leave_review"]
    if status == "active":
        steps.append("refer_friend")
    return steps


@bp.get("/member")
@app_proxy(balance=True, autocommit_reads=True)
def member() -> Response:
    ctx = proxy_context()
    settings = program_settings(ctx.shop)
    status = id_status(ctx.member) if ctx.logged_in else "none"
    cohort = cohort_of(ctx.member, settings.cutoffs) if ctx.logged_in else None
    balance = wallet_balance(ctx)
    rules = settings.earning
    terms = own_terms(ctx, cohort) if status == "active" else None
    body: dict[str, Any] = {
        "shop": shop_block(ctx),
        "logged_in": ctx.logged_in,
        "tesmart_id": {
            "status": status,
            "cohort": cohort.value if cohort else None,
            "registered_at": _date(ctx.member.registered_at)
            if ctx.member and status == "active"
            else None,
            "activated_at": _date(ctx.member.activated_at)
            if ctx.member and status == "active"
            else None,
        },
        "points": {"balance": balance, "expiring": expiring_block(ctx, settings)}
        if ctx.logged_in
        else None,
        # Without an activated ID there are no benefits (POLICY.md 2); with one, the cohort's, as
        # far as this store's region gets them.
        "benefits": terms.benefits if terms else [],
        "terms": term_sentences(terms, ctx.shop.locale) if terms else [],
        "next_steps": next_steps(ctx, status, balance),
        "referral": referral_block(ctx) if ctx.logged_in else None,
        "campaigns": [
            {
                "id": c.id,
                "kind": c.kind,
                "title": c.title,
                "starts_at": c.starts_at.isoformat(),
                "ends_at": c.ends_at.isoformat(),
                "multiplier": str(c.multiplier.normalize()) if c.multiplier is not None else None,
            }
            for c in listed_campaigns(ctx.shop, clock.now())
        ],
        "offer": offer_block(ctx, settings),
        "earning": {
            "signup": rules.signup,
            "newsletter": rules.newsletter,
            "survey": rules.survey,
            "order": rules.order,
            "review": rules.review,
            "review_with_photos": rules.review_with_photos,
            "order_per_currency_unit": str(rules.per_currency_unit)
            if rules.per_currency_unit
            else None,
        },
    }
    finish_reads()
    response = jsonify(body)
    response.headers["Cache-Control"] = (
        "private, no-store" if ctx.logged_in else "public, max-age=60"
    )
    response.headers["Vary"] = "Cookie"
    return response


def _date(value: Any) -> str | None:
    return value.date().isoformat() if value is not None else None
