"""Reward codes at Shopify: ``discount_code.create`` and ``discount_code.deactivate`` (invariants
3, 4).

The code of a redemption is fixed when the redemption is written
(``redemptions.discount_code_for``), so every attempt asks Shopify for the same code. If an earlier
attempt created it and died before its commit, Shopify answers ``TAKEN`` and the code is looked up
(``DiscountCodeByCode``) and taken as issued: one code per redemption however often the job runs.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from plugin import clock, ledger, outbox
from plugin.extensions import db
from plugin.models import OutboxItem, Redemption, Shop
from plugin.program.catalogue import RewardKind
from plugin.program.entries import EntryKind
from plugin.reach.notifications import code_issued
from plugin.rewards.redemptions import DEACTIVATE, customer_gid, lock_redemption
from plugin.shopify.client import AdminClient, user_errors

# POLICY.md 3: reward codes do not stack with trade-in discounts (or any other discount), so a code
# combines with nothing; Shopify then applies the best single discount of the cart.
COMBINES_WITH = {"orderDiscounts": False, "productDiscounts": False, "shippingDiscounts": False}


def discount_title(redemption: Redemption) -> str:
    """The title merchants see in Shopify admin; it names the redemption, which is how a code
    found on a retry is recognised as ours and not a merchant's code that happens to match."""
    return f"{redemption.title} (TESmart {redemption.purpose} #{redemption.id})"[:255]


def _redemption(shop: Shop, payload: dict[str, Any]) -> Redemption:
    redemption_id = payload.get("redemption_id")
    redemption = lock_redemption(shop.id, int(redemption_id)) if redemption_id else None
    if redemption is None:
        raise outbox.PermanentFailure(f"redemption {redemption_id} not found in {shop.domain}")
    return redemption


def create_variables(redemption: Redemption) -> dict[str, Any]:
    variables: dict[str, Any] = {
        "title": discount_title(redemption),
        "code": redemption.code,
        "startsAt": clock.now().isoformat(),
        "customerIds": [customer_gid(redemption.customer_id)],
        "usageLimit": 1,
        "appliesOncePerCustomer": True,
        "combinesWith": COMBINES_WITH,
    }
    if redemption.kind == RewardKind.PERCENTAGE:
        # Shopify takes a fraction: 30 % is 0.3.
        assert redemption.percentage is not None  # a percentage code has its percentage
        variables["percentage"] = float(redemption.percentage / 100)
    else:
        variables["discountAmount"] = {"amount": str(redemption.amount), "appliesOnEachItem": False}
    return variables


def find_code(client: AdminClient, code: str) -> dict[str, Any] | None:
    data = client.execute("DiscountCodeByCode", {"code": code})
    return data.get("codeDiscountNodeByCode")


def _created(shop: Shop, item: OutboxItem, result: dict[str, Any]) -> None:
    if "skipped" in result:
        return
    redemption = lock_redemption(shop.id, int(item.payload["redemption_id"]))
    if redemption is None:
        return
    redemption.discount_node_id = result["node_id"]
    if redemption.state == "pending":
        redemption.state = "issued"
        redemption.issued_at = clock.now()

        code_issued(shop, redemption)
    elif redemption.state == "disabled":
        # Disabled while the code was being made: end it now that it exists.
        outbox.add(
            shop.id,
            DEACTIVATE,
            f"redemption:{redemption.id}:deactivate:created-late",
            {"redemption_id": redemption.id, "node_id": result["node_id"]},
        )


def _not_created(shop: Shop, item: OutboxItem, reason: str) -> None:
    """The code will not be created: the points come back (POLICY.md 3), once."""
    redemption_id = (item.payload or {}).get("redemption_id")
    redemption = lock_redemption(shop.id, int(redemption_id)) if redemption_id else None
    if redemption is None or redemption.state != "pending":
        return
    redemption.state = "failed"
    redemption.error = reason[:2000]
    if redemption.points > 0:
        ledger.post_entry(
            shop_id=shop.id,
            member_id=redemption.member_id,
            delta=redemption.points,
            kind=EntryKind.REDEMPTION_REFUND,
            cause_key=f"redemption:{redemption.id}:refund",
            note=f"code not created: {reason}"[:500],
        )


def create_discount_code(
    shop: Shop, payload: dict[str, Any], client: AdminClient
) -> dict[str, Any]:
    # The row lock is held through the call, so a concurrent disable waits for the outcome.
    redemption = _redemption(shop, payload)
    if redemption.state != "pending":
        return {"skipped": redemption.state, "node_id": redemption.discount_node_id}
    data = client.execute("DiscountCodeBasicCreate", create_variables(redemption))
    errors = user_errors(data, "discountCodeBasicCreate")
    if not errors:
        node = (data.get("discountCodeBasicCreate") or {}).get("codeDiscountNode") or {}
        if not node.get("id"):
            raise outbox.PermanentFailure("discountCodeBasicCreate returned no discount")
        return {"node_id": node["id"], "code": redemption.code}
    if any(error.get("code") == "TAKEN" for error in errors):
        found = find_code(client, str(redemption.code))
        if found is not None and (found.get("codeDiscount") or {}).get("title") == discount_title(
            redemption
        ):
            return {"node_id": found["id"], "code": redemption.code, "found_existing": True}
        raise outbox.PermanentFailure(f"code {redemption.code} is taken by another discount")
    raise outbox.PermanentFailure(
        "discountCodeBasicCreate: "
        + "; ".join(f"{e.get('code')}: {e.get('message')}" for e in errors)
    )


def deactivate_discount_code(
    shop: Shop, payload: dict[str, Any], client: AdminClient
) -> dict[str, Any]:
    redemption_id = payload.get("redemption_id")
    redemption = db.session.execute(
        select(Redemption)
        .where(Redemption.id == redemption_id, Redemption.shop_id == shop.id)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if redemption is None:
        raise outbox.PermanentFailure(f"redemption {redemption_id} not found in {shop.domain}")
    node_id = payload.get("node_id") or redemption.discount_node_id
    if node_id is None and redemption.code:
        found = find_code(client, redemption.code)
        node_id = found.get("id") if found else None
    if node_id is None:
        # Never created: the create effect skips a disabled redemption, and one created late
        # schedules its own deactivation.
        return {"deactivated": False, "reason": "not_created"}
    data = client.execute("DiscountCodeDeactivate", {"id": node_id})
    errors = user_errors(data, "discountCodeDeactivate")
    if errors:
        # Shopify's messages are prose (they may change or be translated): whether the discount is
        # gone is asked of Shopify by its code, not read from the text.
        found = find_code(client, redemption.code) if redemption.code else None
        if found is None or found.get("id") != node_id:
            return {"deactivated": False, "reason": "not_found", "node_id": node_id}
        raise outbox.PermanentFailure(
            "discountCodeDeactivate: " + "; ".join(str(e.get("message")) for e in errors)
        )
    return {"deactivated": True, "node_id": node_id}
