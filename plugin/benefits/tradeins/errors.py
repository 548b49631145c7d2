"""The trade-ins' errors: domain errors (``plugin.program.errors``) with a stable code; the faces
map their kind to a status in one place (``plugin.errors``)."""

from __future__ import annotations

from decimal import Decimal

from plugin.program.benefits import tradein_workflow as workflow
from plugin.program.errors import Conflict, Invalid, NotFound, Refused
from plugin.program.money import format_plain


class TradeInTransitionError(Conflict, workflow.TradeInTransitionError):
    """A step the workflow does not allow now: a conflict on every surface, and still the
    program's ``TradeInTransitionError`` for callers that catch that."""

    def __init__(self, kind: str, state: str, action: str, detail: str | None = None) -> None:
        workflow.TradeInTransitionError.__init__(self, kind, state, action, detail)
        # The domain error's fields, set by hand: its __init__ would reach the program error's
        # through super().
        self.message, self.extra = str(self.args[0]), {}
        self.code = "invalid_transition"  # as DomainError.__init__ sets it


class TradeInNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No such trade-in.", code="not_found")


class AlreadyApplied(Conflict):
    def __init__(self) -> None:
        super().__init__("This quote has already been used.", code="already_applied")


class QuoteExpired(Refused):
    def __init__(self) -> None:
        super().__init__(
            "This quote is no longer valid. Please ask for a new quote.", code="quote_expired"
        )


class TradeInUnavailable(Refused):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="trade_in_unavailable")


class SerialRequired(Refused):
    def __init__(self) -> None:
        super().__init__(
            "Enter the serial number of the device to apply for a trade-in.", code="serial_required"
        )


class SerialMismatch(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "This serial number is not the one registered for the device.", code="serial_mismatch"
        )


class PayoutUnavailable(Conflict):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="payout_unavailable")


class InvalidTradeInInput(Invalid):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="invalid_request")


class ValueAboveQuote(Conflict):
    """An approval above the quote: allowed with a reason and the merchant's second confirmation."""

    def __init__(
        self, quoted: Decimal, value: Decimal, currency: str, *, reason_missing: bool
    ) -> None:
        message = (
            f"{format_plain(value, currency)} {currency} is above the quote of "
            f"{format_plain(quoted, currency)} {currency}. "
            + ("Say why, then confirm." if reason_missing else "Confirm the higher value.")
        )
        super().__init__(message, code="value_above_quote")
        self.quoted, self.value, self.currency = quoted, value, currency


class ValueAbovePrice(Refused):
    """No trade-in is worth more than the member paid for the device."""

    def __init__(self, paid: Decimal, currency: str) -> None:
        super().__init__(
            f"The value cannot be more than the {format_plain(paid, currency)} {currency} paid for "
            "the device.",
            code="value_above_price",
        )
        self.paid, self.currency = paid, currency
