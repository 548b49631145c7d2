"""The trade-ins' errors, each with the status and code every surface answers with."""

from __future__ import annotations

from decimal import Decimal

from plugin.errors import ApiError
from plugin.program.benefits import tradein_workflow as workflow
from plugin.program.money import format_plain


class TradeInTransitionError(ApiError, workflow.TradeInTransitionError):
    """A step the workflow does not allow now: 409 on every surface, and still the program's
    ``TradeInTransitionError`` for callers that catch that."""

    def __init__(self, kind: str, state: str, action: str, detail: str | None = None) -> None:
        workflow.TradeInTransitionError.__init__(self, kind, state, action, detail)
        # ApiError's fields, set by hand: its __init__ would reach the program error's through super().
        self.status, self.code, self.message, self.extra = (
            409,
            "invalid_transition",
            str(self.args[0]),
            {},
        )


class TradeInNotFound(ApiError):
    def __init__(self) -> None:
        super().__init__(404, "not_found", "No such trade-in.")


class AlreadyApplied(ApiError):
    def __init__(self) -> None:
        super().__init__(409, "already_applied", "This quote has already been used.")


class QuoteExpired(ApiError):
    def __init__(self) -> None:
        super().__init__(
            422, "quote_expired", "This quote is no longer valid. Please ask for a new quote."
        )


class TradeInUnavailable(ApiError):
    def __init__(self, message: str) -> None:
        super().__init__(422, "trade_in_unavailable", message)


class SerialRequired(ApiError):
    def __init__(self) -> None:
        super().__init__(
            422, "serial_required", "Enter the serial number of the device to apply for a trade-in."
        )


class SerialMismatch(ApiError):
    def __init__(self) -> None:
        super().__init__(
            409, "serial_mismatch", "This serial number is not the one registered for the device."
        )


class PayoutUnavailable(ApiError):
    def __init__(self, message: str) -> None:
        super().__init__(409, "payout_unavailable", message)


class InvalidTradeInInput(ApiError):
    def __init__(self, message: str) -> None:
        super().__init__(400, "invalid_request", message)


class ValueAboveQuote(ApiError):
    """An approval above the quote: allowed with a reason and the merchant's second confirmation."""

    def __init__(
        self, quoted: Decimal, value: Decimal, currency: str, *, reason_missing: bool
    ) -> None:
        message = (
            f"{format_plain(value, currency)} {currency} is above the quote of {format_plain(quoted, currency)} "
            f"{currency}. "
            + ("Say why, then confirm." if reason_missing else "Confirm the higher value.")
        )
        super().__init__(409, "value_above_quote", message)
        self.quoted, self.value, self.currency = quoted, value, currency


class ValueAbovePrice(ApiError):
    """No trade-in is worth more than the member paid for the device."""

    def __init__(self, paid: Decimal, currency: str) -> None:
        super().__init__(
            422,
            "value_above_price",
            f"The value cannot be more than the {format_plain(paid, currency)} {currency} paid for the device.",
        )
        self.paid, self.currency = paid, currency
