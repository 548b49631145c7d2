"""What the merchant types (amounts, tracking numbers) parsed into values, and values shown back."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from plugin.benefits.tradeins.errors import InvalidTradeInInput
from plugin.program.money import quantize

AMOUNT_HINT = "Enter the amount as a number, such as 45.00."


def parse_money(value: object, currency: str) -> Decimal:
    if isinstance(value, bool | float):
        raise InvalidTradeInInput(AMOUNT_HINT)
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise InvalidTradeInInput(AMOUNT_HINT) from None
    if not amount.is_finite() or amount < 0:
        raise InvalidTradeInInput("A value cannot be negative.")
    quantized = quantize(amount, currency)
    if quantized != amount:
        places = "no decimals" if currency in ("JPY", "KRW") else "at most two decimals"
        raise InvalidTradeInInput(f"Amounts in {currency} have {places}.")
    return quantized


def text_field(value: object, name: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > limit:
        raise InvalidTradeInInput(f"{name} must be text of 1 to {limit} characters.")
    return value.strip()


def decimal_or_none(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).normalize()


def percent_text(value: Decimal | None) -> str | None:
    return None if value is None else format(Decimal(value).normalize(), "f")
