"""Store credit bought with points (issue 19): paid and taken back through the outbox.

Paying is ``plugin.effects.store_credit.credit``, the trade-in payout's at-most-once credit (the
mutation has no idempotency key): the same "sent" mark committed before the call, the same stop
for a person after an ambiguous answer. The redemption's row is locked through the call, so a
cancellation waits for the outcome and then takes back what is unspent.

Taking back (``storeCreditAccountDebit``, not idempotent either) follows the same rule with its
own mark: it reads what is left of the credit first and debits only that, once.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from plugin import clock, ledger, outbox
from plugin.database import audit
from plugin.effects import store_credit
from plugin.models import OutboxItem, Redemption, Shop
from plugin.program.entries import EntryKind
from plugin.rewards import store_credit_rewards as rewards
from plugin.rewards.redemptions import lock_redemption
from plugin.shopify.client import AdminApiError, AdminUnavailable, user_errors


def _redemption(shop: Shop, payload: dict[str, Any]) -> Redemption:
    redemption_id = payload.get("redemption_id")
    redemption = lock_redemption(shop.id, int(redemption_id)) if redemption_id else None
    if redemption is None:
        raise outbox.PermanentFailure(f"redemption {redemption_id} not found in {shop.domain}")
    return redemption


def _paid(shop: Shop, item: OutboxItem, result: dict[str, Any]) -> None:
    if "skipped" in result:
        return
    redemption = lock_redemption(shop.id, int(item.payload["redemption_id"]))
    if redemption is None:
        return
    redemption.credit_transaction_id = result.get("transaction_id")
    if redemption.state == "pending":
        redemption.state = "issued"
        redemption.issued_at = clock.now()


def _not_paid(shop: Shop, item: OutboxItem, reason: str) -> None:
    """Certainly not paid: the points come back. Perhaps paid: a person checks, nothing returns."""
    redemption = lock_redemption(shop.id, int(item.payload["redemption_id"]))
    if redemption is None or redemption.state != "pending":
        return
    redemption.error = reason[:2000]
    if store_credit._last_mark(shop, str(item.payload["idempotency_key"])) == store_credit.SENT:
        redemption.state = "review"
        return
    redemption.state = "failed"
    if redemption.points > 0:
        ledger.post_entry(
            shop_id=shop.id,
            member_id=redemption.member_id,
            delta=redemption.points,
            kind=EntryKind.REDEMPTION_REFUND,
            cause_key=f"redemption:{redemption.id}:refund",
            note=f"store credit not paid: {reason}"[:500],
        )


def pay_store_credit(shop: Shop, payload: dict[str, Any], client: Any) -> dict[str, Any]:
    redemption = _redemption(shop, payload)  # locked through the call
    if redemption.state != "pending":
        return {"skipped": redemption.state}
    # Asked again right before paying; nothing is written here before the "sent" mark, which is
    # committed on a connection of its own.
    if not rewards.shopify_says_enabled(client):
        raise outbox.PermanentFailure("store credit is turned off in this store")
    return store_credit.credit(shop, payload, client)


def _remaining(client: Any, transaction_id: str) -> tuple[Decimal, str | None]:
    data = client.execute("StoreCreditTransactionRemaining", {"id": transaction_id})
    node = data.get("node") or {}
    remaining = node.get("remainingAmount") or {}
    return Decimal(str(remaining.get("amount") or 0)), remaining.get("currencyCode")


def claw_back_store_credit(shop: Shop, payload: dict[str, Any], client: Any) -> dict[str, Any]:
    redemption = _redemption(shop, payload)
    if not redemption.credit_transaction_id:
        return {"clawed_back": "0", "reason": "not_paid"}
    key = str(payload["idempotency_key"])
    if store_credit._last_mark(shop, key) == store_credit.SENT:
        raise outbox.PermanentFailure(
            "an earlier attempt to take the credit back reached Shopify with an unknown outcome: "
            "check the customer's store credit"
        )
    remaining, currency = _remaining(client, redemption.credit_transaction_id)
    if remaining <= 0:
        return {"clawed_back": "0", "reason": "spent_or_expired"}
    currency = currency or redemption.currency
    store_credit._mark(
        shop, key, store_credit.SENT, {"amount": str(remaining), "currency": currency}
    )
    try:
        data = client.execute(
            "StoreCreditAccountDebit",
            {
                "id": store_credit._customer_gid(redemption.customer_id),
                "amount": str(remaining),
                "currencyCode": currency,
            },
        )
    except AdminUnavailable as exc:
        if exc.ambiguous:
            raise outbox.PermanentFailure(
                f"the credit may have been taken back (no answer from Shopify: {exc}); check the "
                "customer's store credit"
            ) from exc
        store_credit._mark(shop, key, store_credit.NOT_SENT, {"error": str(exc)[:500]})
        raise
    except AdminApiError as exc:
        store_credit._mark(shop, key, store_credit.NOT_SENT, {"error": str(exc)[:500]})
        raise
    errors = user_errors(data, "storeCreditAccountDebit")
    if errors:
        store_credit._mark(shop, key, store_credit.NOT_SENT, {"user_errors": errors})
        raise outbox.PermanentFailure("; ".join(str(e.get("message")) for e in errors))
    audit.record(
        shop_id=shop.id,
        actor="system",
        action="store_credit.claw_back",
        subject_type="redemption",
        subject_id=redemption.id,
        before=None,
        after={"amount": str(remaining), "currency": currency},
    )
    return {"clawed_back": str(remaining), "currency": currency}
