"""Store credit for a trade-in payout: ``storeCreditAccountCredit`` through the outbox.

Shopify's ``storeCreditAccountCredit`` takes no idempotency key: the 2026-07 schema (and 2026-10
and unstable) documents no ``@idempotent`` support for it and its input has no reference field, so
a repeat after a lost answer would credit twice. The guards, from the outside in:

1. The outbox row: one item per payout attempt (``UNIQUE(shop, idempotency_key)``), performed by
   ``run_outbox_item`` under the item's row lock (``FOR UPDATE SKIP LOCKED``), so two workers never
   send it at the same time.
2. The client never repeats this mutation after an ambiguous failure (sent, no answer); here such a
   failure is permanent: the trade-in steps back and its trail says the credit may have been made.
3. A "sent" audit row is committed on its own connection before the call. If a worker dies after
   Shopify answered but before the item was marked done, the retry finds the row and stops for a
   person to check, instead of crediting again. A call that certainly never reached Shopify (a
   connection error, a throttle, a userErrors answer) is recorded as "not sent" and may be retried.

Residual risk: none of double payment; an ambiguous outcome needs the merchant to look at the
customer's store credit in Shopify before paying again (the trade-in's trail says so).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select

from plugin import clock, outbox
from plugin.benefits import tradeins
from plugin.extensions import db
from plugin.models import AuditLog, OutboxItem, Shop
from plugin.shopify.client import AdminApiError, AdminUnavailable, user_errors

KIND = outbox.EffectKind.STORE_CREDIT.value
SENT = "store_credit.sent"
NOT_SENT = "store_credit.not_sent"


def _customer_gid(customer_id: str) -> str:
    return (
        customer_id if customer_id.startswith("gid://") else f"gid://shopify/Customer/{customer_id}"
    )


def _last_mark(shop: Shop, key: str) -> str | None:
    return db.session.execute(
        select(AuditLog.action)
        .where(
            AuditLog.shop_id == shop.id,
            AuditLog.subject_type == "outbox",
            AuditLog.subject_id == key,
            AuditLog.action.in_((SENT, NOT_SENT)),
        )
        .order_by(AuditLog.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def _mark(shop: Shop, key: str, action: str, detail: dict[str, Any]) -> None:
    """Committed at once on a connection of its own: it must outlive this worker."""
    with db.engine.begin() as connection:
        connection.execute(
            insert(AuditLog).values(
                shop_id=shop.id,
                actor="system",
                action=action,
                subject_type="outbox",
                subject_id=key,
                after=detail,
                created_at=clock.now(),
            )
        )


def _on_success(shop: Shop, item: OutboxItem, result: dict[str, Any]) -> None:

    tradeins.payout_confirmed(shop, item, result)


def _on_failure(shop: Shop, item: OutboxItem, reason: str) -> None:

    tradeins.payout_failed(shop, item, reason)


def credit(shop: Shop, payload: dict[str, Any], client: Any) -> dict[str, Any]:
    key = str(payload["idempotency_key"])
    detail = {
        "amount": payload["amount"],
        "currency": payload["currency"],
        "customer_id": payload["customer_id"],
    }
    if _last_mark(shop, key) == SENT:
        raise outbox.PermanentFailure(
            "an earlier attempt reached Shopify with an unknown outcome: check the customer's "
            "store credit before paying again"
        )
    _mark(shop, key, SENT, detail)
    try:
        data = client.execute(
            "StoreCreditAccountCredit",
            {
                "id": _customer_gid(str(payload["customer_id"])),
                "amount": str(payload["amount"]),
                "currencyCode": payload["currency"],
                "expiresAt": payload.get("expires_at"),  # a store-credit reward's expiry (issue 19)
            },
        )
    except AdminUnavailable as exc:
        if exc.ambiguous:
            raise outbox.PermanentFailure(
                f"the credit may have been made (no answer from Shopify: {exc}); check the "
                "customer's store credit before paying again"
            ) from exc
        _mark(shop, key, NOT_SENT, {"error": str(exc)[:500]})
        raise
    except AdminApiError as exc:
        _mark(shop, key, NOT_SENT, {"error": str(exc)[:500]})
        raise
    errors = user_errors(data, "storeCreditAccountCredit")
    if errors:
        _mark(shop, key, NOT_SENT, {"user_errors": errors})
        raise outbox.PermanentFailure("; ".join(str(e.get("message")) for e in errors))
    transaction = (data.get("storeCreditAccountCredit") or {}).get(
        "storeCreditAccountTransaction"
    ) or {}
    return {
        "transaction_id": transaction.get("id"),
        "amount": (transaction.get("amount") or {}).get("amount"),
        "currency": (transaction.get("amount") or {}).get("currencyCode"),
    }
