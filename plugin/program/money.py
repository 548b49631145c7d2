"""Money in a store's currency, to the currency's own minor unit (POLICY.md section 1).

JPY and KRW have no minor unit; USD and EUR have cents. Amounts are always ``Decimal``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# The stores' own currencies, and the presentment currencies their customers pay in (ISO 4217).
MINOR_UNITS: dict[str, int] = {
    "USD": 2,
    "EUR": 2,
    "GBP": 2,
    "CAD": 2,
    "JPY": 0,
    "KRW": 0,
    "AUD": 2,
    "NZD": 2,
    "CHF": 2,
    "SEK": 2,
    "NOK": 2,
    "DKK": 2,
    "PLN": 2,
    "CZK": 2,
    "HUF": 2,
    "RON": 2,
    "BGN": 2,
    "TRY": 2,
    "ILS": 2,
    "AED": 2,
    "SAR": 2,
    "MXN": 2,
    "BRL": 2,
    "SGD": 2,
    "HKD": 2,
    "CNY": 2,
    "TWD": 2,
    "INR": 2,
    "ZAR": 2,
    "MYR": 2,
    "THB": 2,
    "PHP": 2,
    "IDR": 2,
    "VND": 0,
    "CLP": 0,
    "ISK": 0,
    "PYG": 0,
    "UGX": 0,
    "XAF": 0,
    "XOF": 0,
}


class UnknownCurrency(ValueError):
    """A currency the program has no minor-unit rule for."""


def minor_units(currency: str) -> int:
    try:
        return MINOR_UNITS[currency.upper()]
    except KeyError as exc:
        raise UnknownCurrency(currency) from exc


def quantize(amount: Decimal | int | str, currency: str) -> Decimal:
    """Round half-up to the currency's minor unit: 12.345 USD -> 12.35, 1234.5 JPY -> 1235."""
    try:
        value = Decimal(str(amount)) if not isinstance(amount, Decimal) else amount
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {amount!r}") from exc
    exponent = Decimal(1).scaleb(-minor_units(currency))
    return value.quantize(exponent, rounding=ROUND_HALF_UP)


def parse_amount(raw: object, currency: str) -> Decimal:
    """Read a Shopify money value (a string such as "129.99", or a number) as a quantized
    Decimal."""
    if isinstance(raw, float):
        raw = repr(raw)
    return quantize(Decimal(str(raw)), currency)


def format_plain(amount: Decimal, currency: str) -> str:
    """The decimal string the API returns: '64.50' for USD, '12000' for JPY."""
    return str(quantize(amount, currency))


# No amount the program handles comes near this (a price, a subtotal, a reward); anything larger
# entering from outside is refused before any arithmetic (1e999999 cost ~100 s of CPU a request).
MAX_AMOUNT = Decimal(1_000_000_000)


def bounded_amount(value: object) -> Decimal:
    """A finite Decimal within ±MAX_AMOUNT from outside input; ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError("not an amount")
    try:
        parsed = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not parsed.is_finite() or abs(parsed) > MAX_AMOUNT:
        raise ValueError("not an amount in range")
    return parsed
