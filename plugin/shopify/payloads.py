"""Reading Shopify's payloads: webhooks' REST shapes and the Admin API's GraphQL nodes, into typed
snapshots (``OrderSnapshot``, ``CustomerSnapshot``, ``ConsentSnapshot``) the use cases take.

Shopify's documented samples have quirks every reader here survives: money as strings and as
``*_set.shop_money`` blocks, ``product_id: null``, ``customer: null`` on guest checkouts, ids as
numbers or GIDs, timestamps with offsets.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
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


# --- typed snapshots ---------------------------------------------------------------------------
# What the order use cases read of an order, parsed once from either of Shopify's shapes: a
# webhook's REST body (``from_webhook``) or an Admin GraphQL node (``from_graphql``, the shape
# reconciliation reads). Money is Decimal in the shop's currency unless a field says otherwise.


def _dicts(value: Any) -> list[dict[str, Any]]:
    return (
        [item for item in value or () if isinstance(item, dict)] if isinstance(value, list) else []
    )


def _graphql_money(block: Any) -> Decimal | None:
    """The shop money of a GraphQL MoneyBag."""
    if isinstance(block, dict):
        shop_money = block.get("shopMoney") or {}
        if shop_money.get("amount") is not None:
            return _decimal(shop_money["amount"])
    return None


def _graphql_presentment(block: Any) -> tuple[str, Decimal] | None:
    if not isinstance(block, dict):
        return None
    shown = block.get("presentmentMoney") or {}
    amount = _decimal(shown.get("amount")) if shown.get("amount") is not None else None
    currency = shown.get("currencyCode")
    if amount is None or not isinstance(currency, str) or len(currency) != 3:
        return None
    return currency.upper(), amount


def _nodes(connection: Any) -> list[dict[str, Any]]:
    return _dicts((connection or {}).get("nodes")) if isinstance(connection, dict) else []


@dataclass(frozen=True)
class Address:
    address1: str | None
    zip: str | None
    country: str | None  # ISO 3166 alpha-2, upper case


def _address(block: Any) -> Address | None:
    if not isinstance(block, dict):
        return None
    return Address(block.get("address1"), block.get("zip"), country_code(block))


@dataclass(frozen=True)
class CustomerRef:
    """The order's customer account as the order names it."""

    id: str | None
    email: str | None
    first_name: str | None = None
    last_name: str | None = None
    updated_at: datetime | None = None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class MarketingConsent:
    """A customer's email marketing consent: Shopify's state (lower case) and when it changed."""

    state: str
    updated_at: datetime | None

    @property
    def subscribed(self) -> bool:
        return self.state == "subscribed"

    @classmethod
    def from_webhook(cls, block: Any) -> MarketingConsent | None:
        """An ``email_marketing_consent`` block: ``{state, consent_updated_at}``."""
        if not isinstance(block, dict):
            return None
        return cls(str(block.get("state") or ""), timestamp(block.get("consent_updated_at")))

    @classmethod
    def from_graphql(cls, email: Any) -> MarketingConsent | None:
        """A ``defaultEmailAddress`` block: ``{marketingState: SUBSCRIBED, marketingUpdatedAt}``."""
        if not isinstance(email, dict):
            return None
        state = str(email.get("marketingState") or "").lower()
        return cls(state, timestamp(email.get("marketingUpdatedAt")))


@dataclass(frozen=True)
class CustomerSnapshot:
    """A customer as the customer use cases read it (customers/create and update, reconciliation,
    the storefront's first sight of a customer), whichever shape it came in. The GraphQL fragment
    asks for no names and no order count (protected customer data): those are None from a node."""

    id: str
    email: str | None
    created_at: datetime | None
    updated_at: datetime | None
    verified_email: bool | None  # None: not stated, the stored value stays
    marketing: MarketingConsent | None
    first_name: str | None = None
    last_name: str | None = None
    orders_count: int | None = None

    @classmethod
    def from_webhook(cls, payload: dict[str, Any]) -> CustomerSnapshot:
        verified = payload.get("verified_email")
        orders_count = payload.get("orders_count")
        return cls(
            id=required_id(payload),
            email=_text(payload.get("email")),
            created_at=timestamp(payload.get("created_at")),
            updated_at=timestamp(payload.get("updated_at")),
            verified_email=verified if isinstance(verified, bool) else None,
            marketing=MarketingConsent.from_webhook(payload.get("email_marketing_consent")),
            first_name=_text(payload.get("first_name")),
            last_name=_text(payload.get("last_name")),
            orders_count=None if orders_count is None else int(orders_count or 0),
        )

    @classmethod
    def from_graphql(cls, node: dict[str, Any]) -> CustomerSnapshot:
        """A ``MemberCustomer`` node (CustomerGet, CustomersUpdatedSince)."""
        email = node.get("defaultEmailAddress")
        return cls(
            id=required_id(node),
            email=_text(email.get("emailAddress")) if isinstance(email, dict) else None,
            created_at=timestamp(node.get("createdAt")),
            updated_at=timestamp(node.get("updatedAt")),
            verified_email=bool(node.get("verifiedEmail")),
            marketing=MarketingConsent.from_graphql(email),
        )


@dataclass(frozen=True)
class ConsentSnapshot:
    """customers_email_marketing_consent/update: ``{customer_id, email_address,
    email_marketing_consent}``."""

    customer_id: str | None
    email: str | None
    marketing: MarketingConsent | None

    @classmethod
    def from_webhook(cls, payload: dict[str, Any]) -> ConsentSnapshot:
        return cls(
            customer_id=shopify_id(payload.get("customer_id")),
            email=_text(payload.get("email_address")),
            marketing=MarketingConsent.from_webhook(payload.get("email_marketing_consent")),
        )


@dataclass(frozen=True)
class LineItem:
    id: str | None
    product_id: str | None  # None for a custom item
    title: str | None
    # The units as a count; None when the line does not give one (a bool, a fraction, a huge
    # string of digits): such a line is not registered unit by unit.
    quantity: int | None
    price: Decimal  # one unit, before discounts
    discount: Decimal  # the whole line's discounts
    tax: Decimal  # the whole line's tax (read only where prices include tax)


def _device_quantity(value: Any) -> int | None:
    if isinstance(value, str) and value.isdigit() and len(value) < 10:
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


@dataclass(frozen=True)
class RefundTransaction:
    kind: str | None
    status: str | None
    currency: str | None  # the transaction's own (the customer's) currency, when it says
    amount: Decimal | None  # in ``currency``
    shop_amount: Decimal | None  # its ``amount_set.shop_money``, when given
    shop_money_given: bool = False


@dataclass(frozen=True)
class RefundLine:
    line_item_id: str | None
    quantity: int | None  # None: not a number (refused when the units are counted)
    subtotal: Decimal | None  # shop money
    subtotal_presentment: tuple[str, Decimal] | None
    total_tax: Decimal | None


@dataclass(frozen=True)
class RefundAdjustment:
    amount: Decimal | None
    tax_amount: Decimal | None


@dataclass(frozen=True)
class RefundSnapshot:
    id: str | None
    order_id: str | None
    created_at: datetime | None
    note: str
    transactions: tuple[RefundTransaction, ...]
    lines: tuple[RefundLine, ...]
    adjustments: tuple[RefundAdjustment, ...] = ()

    @classmethod
    def from_webhook(cls, refund: dict[str, Any]) -> RefundSnapshot:
        transactions = []
        for t in _dicts(refund.get("transactions")):
            block = (t.get("amount_set") or {}).get("shop_money") or {}
            given = block.get("amount") is not None
            transactions.append(
                RefundTransaction(
                    kind=t.get("kind"),
                    status=t.get("status"),
                    currency=str(t["currency"]).upper() if t.get("currency") else None,
                    amount=_decimal(t["amount"]) if t.get("amount") is not None else None,
                    shop_amount=_decimal(block["amount"]) if given else None,
                    shop_money_given=given,
                )
            )
        lines = []
        for line in _dicts(refund.get("refund_line_items")):
            try:
                quantity: int | None = int(line.get("quantity") or 0)
            except (TypeError, ValueError):
                quantity = None
            lines.append(
                RefundLine(
                    line_item_id=shopify_id(line.get("line_item_id")),
                    quantity=quantity,
                    subtotal=money(line, "subtotal"),
                    subtotal_presentment=presentment_money(line, "subtotal"),
                    total_tax=money(line, "total_tax"),
                )
            )
        return cls(
            id=shopify_id(refund.get("id")),
            order_id=shopify_id(refund.get("order_id")),
            created_at=timestamp(refund.get("created_at")),
            note=str(refund.get("note") or ""),
            transactions=tuple(transactions),
            lines=tuple(lines),
            adjustments=tuple(
                RefundAdjustment(money(a, "amount"), money(a, "tax_amount"))
                for a in _dicts(refund.get("order_adjustments"))
            ),
        )

    @classmethod
    def from_graphql(cls, node: dict[str, Any], order_id: str | None = None) -> RefundSnapshot:
        """A Refund node: its transactions are in shop money; a refund listing none is its
        ``totalRefundedSet``, settled."""
        transactions = [
            RefundTransaction(
                kind=str(t.get("kind") or "").lower(),
                status=str(t.get("status") or "").lower(),
                currency=None,
                amount=_graphql_money(t.get("amountSet")) or Decimal(0),
                shop_amount=_graphql_money(t.get("amountSet")),
                shop_money_given=_graphql_money(t.get("amountSet")) is not None,
            )
            for t in _nodes(node.get("transactions"))
        ] or [
            RefundTransaction(
                kind="refund",
                status="success",
                currency=None,
                amount=None,
                shop_amount=_graphql_money(node.get("totalRefundedSet")),
                shop_money_given=_graphql_money(node.get("totalRefundedSet")) is not None,
            )
        ]
        lines = []
        for item in _nodes(node.get("refundLineItems")):
            try:
                quantity: int | None = int(item.get("quantity") or 0)
            except (TypeError, ValueError):
                quantity = None
            lines.append(
                RefundLine(
                    line_item_id=shopify_id((item.get("lineItem") or {}).get("id")),
                    quantity=quantity,
                    subtotal=None,
                    subtotal_presentment=None,
                    total_tax=None,
                )
            )
        return cls(
            id=shopify_id(node.get("id")),
            order_id=order_id,
            created_at=timestamp(node.get("createdAt")),
            note="",
            transactions=tuple(transactions),
            lines=tuple(lines),
        )


@dataclass(frozen=True)
class Fulfillment:
    created_at: datetime | None
    delivered_at: datetime | None
    shipment_status: str | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class OrderSnapshot:
    """An order as the order use cases read it (orders/paid, cancelled, fulfilled, and
    reconciliation), whichever shape it came in."""

    id: str
    name: str | None
    test: bool
    currency: str | None  # the shop's currency as the order states it, upper case
    total: Decimal | None
    presentment_total: tuple[str, Decimal] | None  # what the customer paid, in their currency
    subtotal: Decimal | None
    current_subtotal: Decimal | None  # after refunds and edits
    total_tax: Decimal | None
    current_total_tax: Decimal | None
    taxes_included: bool
    created_at: datetime | None
    processed_at: datetime | None
    updated_at: datetime | None
    cancelled_at: datetime | None
    # The emails the order gives, in the order they are believed: the customer account's, the
    # order's contact email, the checkout's.
    emails: tuple[str | None, ...]
    customer: CustomerRef | None
    address: Address | None  # shipping, else billing
    discount_codes: tuple[str, ...]
    refunds: tuple[RefundSnapshot, ...]
    line_items: tuple[LineItem, ...]
    fulfillments: tuple[Fulfillment, ...]
    financial_status: str = ""

    @property
    def net(self) -> Decimal | None:
        """The subtotal after refunds, less its VAT where prices include tax (tesmart.de, .jp,
        .co.kr): what points are earned on, before rounding to the currency."""
        net = self.current_subtotal if self.current_subtotal is not None else self.subtotal
        if net is not None and self.taxes_included:
            tax = self.current_total_tax
            net -= tax if tax is not None else (self.total_tax or Decimal(0))
        return net

    def without_personal_data(self) -> OrderSnapshot:
        """The order of a redacted customer: no email, customer or address is kept."""
        return replace(self, emails=(), customer=None, address=None)

    @classmethod
    def from_webhook(cls, payload: dict[str, Any]) -> OrderSnapshot:
        customer = payload.get("customer")
        ref = (
            CustomerRef(
                id=shopify_id(customer.get("id")),
                email=customer.get("email"),
                first_name=customer.get("first_name"),
                last_name=customer.get("last_name"),
                updated_at=timestamp(customer.get("updated_at")),
            )
            if isinstance(customer, dict)
            else None
        )
        lines = []
        for line in _dicts(payload.get("line_items")):
            allocations = _dicts(line.get("discount_allocations"))
            if allocations:
                discount = sum((money(a, "amount") or Decimal(0) for a in allocations), Decimal(0))
            else:
                discount = money(line, "total_discount") or Decimal(0)
            tax = sum(
                (money(t, "price") or Decimal(0) for t in _dicts(line.get("tax_lines"))),
                Decimal(0),
            )
            lines.append(
                LineItem(
                    id=shopify_id(line.get("id")),
                    product_id=shopify_id(line.get("product_id")),
                    title=line.get("title"),
                    quantity=_device_quantity(line.get("quantity")),
                    price=money(line, "price") or Decimal(0),
                    discount=discount,
                    tax=tax,
                )
            )
        fulfillments = tuple(
            Fulfillment(
                created_at=timestamp(f.get("created_at")),
                delivered_at=timestamp(f.get("delivered_at")),
                shipment_status=f.get("shipment_status"),
                updated_at=timestamp(f.get("updated_at")),
            )
            for f in _dicts(payload.get("fulfillments"))
        )
        return cls(
            id=required_id(payload),
            name=payload.get("name"),
            test=bool(payload.get("test")),
            currency=str(payload["currency"]).upper() if payload.get("currency") else None,
            total=money(payload, "total_price"),
            presentment_total=presentment_money(payload, "total_price"),
            subtotal=money(payload, "subtotal_price"),
            current_subtotal=money(payload, "current_subtotal_price"),
            total_tax=money(payload, "total_tax"),
            current_total_tax=money(payload, "current_total_tax"),
            taxes_included=bool(payload.get("taxes_included")),
            created_at=timestamp(payload.get("created_at")),
            processed_at=timestamp(payload.get("processed_at")),
            updated_at=timestamp(payload.get("updated_at")),
            cancelled_at=timestamp(payload.get("cancelled_at")),
            emails=(
                ref.email if ref else None,
                payload.get("email"),
                payload.get("contact_email"),
            ),
            customer=ref,
            address=_address(payload.get("shipping_address") or payload.get("billing_address")),
            discount_codes=tuple(
                str(d.get("code")) for d in _dicts(payload.get("discount_codes")) if d.get("code")
            ),
            refunds=tuple(RefundSnapshot.from_webhook(r) for r in _dicts(payload.get("refunds"))),
            line_items=tuple(lines),
            fulfillments=fulfillments,
            financial_status=str(payload.get("financial_status") or "").lower(),
        )

    @classmethod
    def from_graphql(cls, node: dict[str, Any]) -> OrderSnapshot:
        """An Order node of OrdersUpdatedSince or OrderGet."""
        order_id = shopify_id(node.get("id"))
        if order_id is None:
            raise PayloadError("order node has no id")
        customer = node.get("customer") or None
        ref = (
            CustomerRef(
                id=shopify_id(customer.get("id")),
                email=(customer.get("defaultEmailAddress") or {}).get("emailAddress"),
            )
            if isinstance(customer, dict)
            else None
        )
        lines = []
        for line in _nodes(node.get("lineItems")):
            original = _graphql_money(line.get("originalUnitPriceSet")) or Decimal(0)
            after = _graphql_money(line.get("discountedUnitPriceAfterAllDiscountsSet"))
            after = original if after is None else after
            quantity = int(line.get("quantity") or 0)
            product = line.get("product") or {}
            lines.append(
                LineItem(
                    id=shopify_id(line.get("id")),
                    product_id=shopify_id(product.get("id")),
                    title=product.get("title") or "",
                    quantity=quantity,
                    price=original,
                    discount=(original - after) * quantity,
                    tax=sum(
                        (
                            _graphql_money(t.get("priceSet")) or Decimal(0)
                            for t in _dicts(line.get("taxLines"))
                        ),
                        Decimal(0),
                    ),
                )
            )
        shipping = node.get("shippingAddress") or None
        address = (
            Address(
                shipping.get("address1"),
                shipping.get("zip"),
                country_code({"country_code": shipping.get("countryCodeV2")}),
            )
            if isinstance(shipping, dict)
            else None
        )
        return cls(
            id=order_id,
            name=node.get("name"),
            test=bool(node.get("test")),
            currency=str(node["currencyCode"]).upper() if node.get("currencyCode") else None,
            total=_graphql_money(node.get("totalPriceSet")),
            presentment_total=_graphql_presentment(node.get("totalPriceSet")),
            subtotal=_graphql_money(node.get("subtotalPriceSet")),
            current_subtotal=_graphql_money(node.get("currentSubtotalPriceSet")),
            total_tax=None,
            current_total_tax=_graphql_money(node.get("currentTotalTaxSet")),
            taxes_included=bool(node.get("taxesIncluded")),
            created_at=timestamp(node.get("createdAt")),
            processed_at=timestamp(node.get("processedAt")),
            updated_at=timestamp(node.get("updatedAt")),
            cancelled_at=timestamp(node.get("cancelledAt")),
            emails=(ref.email if ref else None, node.get("email")),
            customer=ref,
            address=address,
            discount_codes=tuple(str(code) for code in node.get("discountCodes") or () if code),
            refunds=tuple(
                RefundSnapshot.from_graphql(refund, order_id)
                for refund in _dicts(node.get("refunds"))
            ),
            line_items=tuple(lines),
            fulfillments=tuple(
                Fulfillment(
                    created_at=timestamp(f.get("createdAt")),
                    delivered_at=timestamp(f.get("deliveredAt")),
                )
                for f in _dicts(node.get("fulfillments"))
            ),
            financial_status=str(node.get("displayFinancialStatus") or "").lower(),
        )
