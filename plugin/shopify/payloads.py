"""Reading Shopify's REST-shaped payloads (webhooks, and reconciliation's converted nodes).

Shopify's documented samples have quirks every reader here survives: money as strings and as
``*_set.shop_money`` blocks, ``product_id: null``, ``customer: null`` on guest checkouts, ids as
numbers or GIDs, timestamps with offsets.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any


class PayloadError(ValueError):
    """A payload that lacks what its topic must carry."""


def shopify_id(value: Any) -> str | None:
    """'gid://shopify/Order/123', 123 or '123' -> '123'."""
    if value is None or value == "":
        return None
    text = str(value)
    return text.rsplit("/", 1)[-1] if text.startswith("gid://") else text


def required_id(payload: dict[str, Any], key: str = "id") -> str:
    value = shopify_id(payload.get(key))
    if value is None:
        raise PayloadError(f"payload has no {key}")
    return value


def timestamp(value: Any) -> datetime | None:
    if not value or not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def money(payload: dict[str, Any], key: str) -> Decimal | None:
    """``key`` as a string, or its ``key_set.shop_money.amount`` block; the shop's currency."""
    block = payload.get(f"{key}_set")
    if isinstance(block, dict):
        shop_money = block.get("shop_money") or {}
        if shop_money.get("amount") is not None:
            return _decimal(shop_money["amount"])
    if payload.get(key) is not None:
        return _decimal(payload[key])
    return None


def presentment_money(payload: dict[str, Any], key: str) -> tuple[str, Decimal] | None:
    """``key_set.presentment_money``: (currency, amount) in the currency the customer paid."""
    block = payload.get(f"{key}_set")
    if not isinstance(block, dict):
        return None
    shown = block.get("presentment_money") or {}
    amount = _decimal(shown.get("amount")) if shown.get("amount") is not None else None
    currency = shown.get("currency_code")
    if amount is None or not isinstance(currency, str) or len(currency) != 3:
        return None
    return currency.upper(), amount


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def country_code(address: Any) -> str | None:
    if isinstance(address, dict):
        code = address.get("country_code")
        if isinstance(code, str) and len(code) == 2:
            return code.upper()
    return None
