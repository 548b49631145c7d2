"""POST /extension-api/checkout: what a checkout shows a member (points, codes, warranty)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Response, jsonify, request
from sqlalchemy import select

from plugin import clock, ledger
from plugin.accounts import cohort_of, id_status
from plugin.database.reads import finish_reads
from plugin.errors import ApiError
from plugin.extension_api.blueprint import bp
from plugin.extension_api.context import extension_context, preflight, read_only
from plugin.extensions import db
from plugin.models import Product, Redemption
from plugin.points.campaigns import points_multiplier
from plugin.program.campaigns import campaign_applies
from plugin.program.cohorts import policy_in_force
from plugin.program.earning import order_points
from plugin.program.money import MAX_AMOUNT, bounded_amount
from plugin.program.policies import POLICIES
from plugin.program.regions import STORES, Region, standard_warranty_months
from plugin.shopify.payloads import shopify_id
from plugin.shops.settings import program_settings

MAX_LINES = 250


def _lines(body: Any) -> list[dict[str, Any]]:
    lines = body.get("lines") if isinstance(body, dict) else None
    if not isinstance(lines, list) or len(lines) > MAX_LINES:
        raise ApiError(400, "invalid_lines", "lines must be a list of cart lines.")
    for line in lines:
        if not isinstance(line, dict) or not isinstance(line.get("product_id"), str):
            raise ApiError(400, "invalid_lines", "Each line needs a product_id.")
    return lines


def _subtotal(body: dict[str, Any], lines: list[dict[str, Any]]) -> Decimal:
    try:
        if body.get("subtotal") is not None:
            subtotal = bounded_amount(body["subtotal"])
        else:
            subtotal = sum(
                (bounded_amount(line.get("amount") or "0") for line in lines), Decimal(0)
            )
    except (InvalidOperation, ValueError) as exc:
        raise ApiError(400, "invalid_amount", "Amounts must be decimal strings.") from exc
    if not Decimal(0) <= subtotal <= MAX_AMOUNT:  # NaN, Infinity and 1e999999 never get this far
        raise ApiError(400, "invalid_amount", "The subtotal is out of range.")
    return subtotal


@bp.route("/checkout", methods=["POST", "OPTIONS"])
@read_only
def checkout() -> Response:
    if (answer := preflight()) is not None:
        return answer
    ctx = extension_context("checkout")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", "The request body must be a JSON object.")
    lines = _lines(body)
    subtotal = _subtotal(body, lines)
    settings = program_settings(ctx.shop)
    now = clock.now()
    member = ctx.member
    applies = member is not None and campaign_applies(member.activated_at, member.state, now)
    multiplier = points_multiplier(ctx.shop.id, now) if applies else Decimal(1)
    cohort = cohort_of(member, settings.cutoffs)
    policy = POLICIES[
        cohort or policy_in_force(clock.local_day(now, clock.shop_zone(ctx.shop)), settings.cutoffs)
    ]
    country = STORES[Region(ctx.shop.region)].country

    product_ids = {shopify_id(line["product_id"]) for line in lines}
    products = {
        p.product_id: p
        for p in db.session.execute(
            select(Product).where(
                Product.shop_id == ctx.shop.id, Product.product_id.in_(product_ids)
            )
        ).scalars()
    }
    warranty = []
    for product_id in sorted(p for p in product_ids if p in products):
        product = products[product_id]
        covered = product.category in policy.covered_categories
        warranty.append(
            {
                "product_id": f"gid://shopify/Product/{product_id}",
                "title": product.title,
                "category": product.category,
                "standard_warranty_months": standard_warranty_months(country),
                "extended_warranty_months": policy.extended_warranty_months if covered else None,
            }
        )
    codes: list[dict[str, str]] = []
    if member is not None:
        codes = [
            {"code": r.code or "", "title": r.title}
            for r in db.session.execute(
                select(Redemption)
                .where(
                    Redemption.shop_id == ctx.shop.id,
                    Redemption.member_id == member.id,
                    Redemption.state == "issued",
                    Redemption.used_at.is_(None),
                )
                .order_by(Redemption.id.desc())
                .limit(5)
            ).scalars()
            if r.code
        ]
    body_out = {
        "member": (
            {
                "status": id_status(member),
                "cohort": cohort.value if cohort else None,
                "balance": ledger.balance(ctx.shop.id, member.id),
            }
            if member is not None and ctx.customer_id is not None
            else None
        ),
        "points_to_earn": order_points(settings.earning, subtotal, multiplier)
        if ctx.customer_id
        else 0,
        "multiplier": str(multiplier.normalize()),
        "reward_codes": codes,
        "warranty": warranty,
    }
    finish_reads()
    return jsonify(body_out)
