"""Points for activities (POLICY.md 3): a completed survey (800, once per survey) and a review from
a review app (100, or 200 with photos, once per product per member).

Each award is a ledger entry whose cause key names the member and the survey or product, so a
repeat writes nothing. A photo review after a plain one tops up the difference under its own key
("replaces the 100, never adds to it"), decided under the wallet lock so that two deliveries at
once cannot both pay.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select

from plugin import clock, ledger
from plugin.accounts import find_member_by_email, member_for_customer
from plugin.database.idempotent import insert_once
from plugin.database.transaction import unit_of_work
from plugin.extensions import db
from plugin.models import Member, PointEntry, Shop, SurveyCompletion
from plugin.program.earning import review_points
from plugin.program.entries import EntryKind
from plugin.program.errors import DomainError, Invalid, NotAllowed, NotFound
from plugin.shopify.payloads import shopify_id
from plugin.shops.settings import program_settings

# The surveys a shop runs are listed in its settings (``surveys``); a survey id the shop does not
# run earns nothing, or any made-up id would be worth 800 points.
DEFAULT_SURVEYS = ("member-profile",)
SURVEY_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
TEXT_ID = re.compile(r"^[A-Za-z0-9_.:/-]{1,128}$")


class ActivityError(DomainError):
    pass


class ActivityInvalid(ActivityError, Invalid):
    pass


class ActivityNotAllowed(ActivityError, NotAllowed):
    pass


class ActivityNotFound(ActivityError, NotFound):
    pass


def shop_surveys(shop: Shop) -> tuple[str, ...]:
    configured = (shop.settings or {}).get("surveys")
    if isinstance(configured, list):
        return tuple(str(item.get("id") if isinstance(item, dict) else item) for item in configured)
    return DEFAULT_SURVEYS


@unit_of_work()
def complete_survey(shop: Shop, member: Member, survey_id: object) -> tuple[int, int]:
    """(points awarded, new balance); 0 awarded on a repeat. Commits. ``survey_id`` is the
    request's, checked here."""
    if not isinstance(survey_id, str) or not SURVEY_ID.match(survey_id):
        raise ActivityInvalid(
            "survey_id must be 1 to 64 letters, digits, '-', '_' or '.'.", code="invalid_request"
        )
    if survey_id not in shop_surveys(shop):
        raise ActivityNotFound("This store runs no such survey.", code="not_found")
    if member.state != "open":
        raise ActivityNotAllowed("Activate your TESmart ID to earn points.", code="id_not_active")
    points = program_settings(shop).earning.survey
    insert_once(
        SurveyCompletion,
        {
            "shop_id": shop.id,
            "member_id": member.id,
            "survey_id": survey_id,
            "created_at": clock.now(),
        },
        ["shop_id", "member_id", "survey_id"],
    )
    awarded = 0
    if points and ledger.post_entry(
        shop_id=shop.id,
        member_id=member.id,
        delta=points,
        kind=EntryKind.SURVEY,
        cause_key=f"survey:{member.id}:{survey_id}",
        note=survey_id,
    ):
        awarded = points
    return awarded, ledger.balance(shop.id, member.id)


def parse_review(payload: Any) -> dict[str, Any]:
    """The review integration's body, checked: {review_id, customer_id|email, product_id,
    with_photos}."""
    if not isinstance(payload, dict):
        raise ActivityInvalid("The request body must be a JSON object.", code="invalid_json")
    review_id = payload.get("review_id")
    if isinstance(review_id, int) and not isinstance(review_id, bool):
        review_id = str(review_id)
    if not isinstance(review_id, str) or not TEXT_ID.match(review_id):
        raise ActivityInvalid(
            "review_id is required (1 to 128 characters).", code="invalid_request"
        )
    product_id = (
        shopify_id(payload.get("product_id"))
        if isinstance(payload.get("product_id"), str | int)
        else None
    )
    if (
        product_id is None
        or not product_id.isdigit()
        or isinstance(payload.get("product_id"), bool)
    ):
        raise ActivityInvalid("product_id must be a Shopify product id.", code="invalid_request")
    customer_raw = payload.get("customer_id")
    customer_id = (
        shopify_id(customer_raw)
        if isinstance(customer_raw, str | int) and not isinstance(customer_raw, bool)
        else None
    )
    if customer_id is not None and not customer_id.isdigit():
        raise ActivityInvalid("customer_id must be a Shopify customer id.", code="invalid_request")
    email = payload.get("email")
    if customer_id is None and not isinstance(email, str):
        raise ActivityInvalid("customer_id or email is required.", code="invalid_request")
    with_photos = payload.get("with_photos", False)
    if not isinstance(with_photos, bool):
        raise ActivityInvalid("with_photos must be true or false.", code="invalid_request")
    return {
        "review_id": review_id,
        "product_id": product_id,
        "customer_id": customer_id,
        "email": email if isinstance(email, str) else None,
        "with_photos": with_photos,
    }


@unit_of_work()
def record_review(shop: Shop, review: dict[str, Any]) -> int:
    """Award a published review once per product and member; the points awarded now. Commits."""
    member = None
    if review.get("customer_id"):
        member = member_for_customer(shop, review["customer_id"])
    if member is None and review.get("email"):
        member = find_member_by_email(review["email"])
    if member is None:
        raise ActivityNotFound("No TESmart ID for this customer.", code="not_found")
    if member.state != "open":
        return 0
    cause = f"review:{member.id}:{review['product_id']}"
    ledger.lock_wallet(shop.id, member.id)
    already = int(
        db.session.execute(
            select(func.coalesce(func.sum(PointEntry.delta), 0)).where(
                PointEntry.shop_id == shop.id,
                PointEntry.cause_key.in_((cause, f"{cause}:photos")),
            )
        ).scalar()
        or 0
    )
    points = review_points(review["with_photos"], already, program_settings(shop).earning)
    awarded = 0
    if points and ledger.post_entry(
        shop_id=shop.id,
        member_id=member.id,
        delta=points,
        kind=EntryKind.REVIEW,
        cause_key=cause if already == 0 else f"{cause}:photos",
        note=f"review {review['review_id']}"[:500],
    ):
        awarded = points
    return awarded
