"""The fake Admin API: a WSGI app that answers like Shopify for the operations the app uses.

In one process, reach it with `fake.http_client()` (httpx over `fake.transport()`, no sockets);
across processes, serve it (`python -m plugin.shopify.fake --port 8765`) and point clients at it
with `plugin.shopify.transport.LoopbackTransport`. Every document is parsed and validated against
Shopify's real schema before anything runs, so a document that would fail on Shopify fails here.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import json
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    execute,
    parse,
    validate,
)
from werkzeug.wrappers import Request, Response

from plugin import clock
from plugin.shopify.fake.resolvers import consume_credit

from .. import API_VERSION
from ..schema import SchemaUnavailable, admin_schema
from .cost import (
    MAX_SINGLE_QUERY_COST,
    STANDARD_BUCKET_SIZE,
    STANDARD_RESTORE_RATE,
    LeakyBucket,
    actual_cost,
    requested_cost,
)
from .errors import format_error, max_cost_error, throttled_body
from .oauth import TokenPolicy, access_token_ok, token_response
from .resolvers import InjectedUserError, RequestContext, discount_status, field_resolver
from .store import (
    IdSequence,
    IssuedToken,
    ShopState,
    gid,
    iso,
    money_amount,
    money_bag,
    new_shop_state,
    parse_time,
    shop_domain,
)

# The scopes the fake grants on token exchange: those of shopify.app.toml (a test keeps them equal).
DEFAULT_SCOPES = (
    "read_all_orders,read_products,write_customers,write_discounts,write_orders,"
    "write_store_credit_account_transactions"
)
FAULT_KINDS = frozenset(
    {"throttled", "http_429", "http_500", "http_503", "http_401", "timeout", "user_error"}
)

_GRAPHQL_PATH = re.compile(r"^/admin/api/(?P<version>[0-9]{4}-[0-9]{2}|unstable)/graphql\.json$")
_TOKEN_PATH = "/admin/oauth/access_token"
_INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)"


def _utcnow() -> datetime:

    return clock.now()


@dataclass
class FakeCall:
    """One GraphQL request the fake received (for assertions in tests)."""

    shop: str
    operation_name: str | None
    root_fields: tuple[str, ...]
    variables: dict[str, Any]
    outcome: str  # ok, invalid, throttled, max_cost_exceeded, unauthorized, or the fault kind
    requested_cost: int | None = None
    actual_cost: int | None = None


@dataclass
class _Fault:
    kind: str
    remaining: int
    operation: str | None
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FakeState:
    """What a fake holds, copied by `FakeAdminApi.snapshot` (opaque: give it to `restore`)."""

    shops: dict[str, ShopState]
    ids: IdSequence


@dataclass(frozen=True)
class _Identity:
    name: str | None
    kind: str | None
    root_fields: tuple[str, ...]


class FakeAdminApi:
    """Shopify's Admin API for the app's operations, in memory, per shop domain.

    Thread-safe (one lock around state and the rate-limit buckets). `clock` drives the buckets
    (monotonic seconds), `now` the timestamps it writes, `sleep` the injected latency and timeouts;
    all three are injectable so tests run fast and deterministic.
    """

    def __init__(
        self,
        *,
        api_version: str = API_VERSION,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = _utcnow,
        sleep: Callable[[float], None] = time.sleep,
        latency_ms: float = 0,
        bucket_size: float = STANDARD_BUCKET_SIZE,
        restore_rate: float = STANDARD_RESTORE_RATE,
        scopes: str = DEFAULT_SCOPES,
        apps: Mapping[str, str] | None = None,
        require_valid_tokens: bool = False,
        access_token_ttl: timedelta = timedelta(hours=1),
        refresh_token_ttl: timedelta = timedelta(days=90),
    ) -> None:
        self.api_version = api_version
        self._clock = clock
        self._now = now
        self._sleep = sleep
        self.latency_ms = latency_ms
        self._bucket_size = bucket_size
        self._restore_rate = restore_rate
        self.require_valid_tokens = require_valid_tokens
        self._policy = TokenPolicy(
            scopes=scopes,
            access_token_ttl=access_token_ttl,
            refresh_token_ttl=refresh_token_ttl,
            apps=apps,
        )
        self._lock = threading.RLock()
        self._shops: dict[str, ShopState] = {}
        self._faults: list[_Fault] = []
        self._calls: list[FakeCall] = []
        self._ids = IdSequence()
        self.schema: GraphQLSchema = admin_schema(api_version)

    # --- reaching it ---------------------------------------------------------------------------

    def transport(self) -> httpx.BaseTransport:
        """An httpx transport into this fake, in-process; it also plays injected timeouts."""
        return _InProcessTransport(self)

    def http_client(self, **kwargs: Any) -> httpx.Client:
        """An httpx client whose requests to any `*.myshopify.com` land here."""
        return httpx.Client(transport=self.transport(), **kwargs)

    # --- faults and latency -----------------------------------------------------------------------

    def inject(
        self, kind: str, times: int = 1, *, operation: str | None = None, **options: Any
    ) -> None:
        """Make the next `times` matching GraphQL requests fail as `kind`.

        Kinds: "throttled" (HTTP 200 THROTTLED; the shop's bucket is emptied, as if another worker
        spent it), "http_429" (`retry_after=` seconds, default 2), "http_500", "http_503",
        "http_401", "timeout" (in-process: httpx.ReadTimeout; served: the answer is delayed by
        `seconds=`, default 35; `applied=True` runs the request before timing out), "user_error"
        (the next mutation answers `userErrors` instead of running; `message=`, `code=`, `field=`).
        `operation` limits the fault to an operation name or root field name.
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; one of {sorted(FAULT_KINDS)}")
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._faults.append(
                _Fault(kind=kind, remaining=times, operation=operation, options=options)
            )

    def set_scopes(self, scopes: str) -> None:
        """What the app is granted from now on (e.g. without `read_all_orders`, which Shopify
        approves per app: then orders older than 60 days are out of sight)."""
        with self._lock:
            self._policy = dataclasses.replace(self._policy, scopes=scopes)

    def refuse_protected_fields(self, shop: str, fields: Iterable[str]) -> None:
        """Simulate an app not approved for protected customer data (level 2) in `shop`: each
        named field (`email`, `firstName`, `lastName`, `phone`, `address1`, `zip`, `city`,
        `emailAddress`) resolves to null with an ACCESS_DENIED error at its path, the rest of
        the answer is data, as Shopify answers such a query."""
        with self._lock:
            self._state(shop).refused_fields = set(fields)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def pending_faults(self) -> list[tuple[str, int]]:
        with self._lock:
            return [(fault.kind, fault.remaining) for fault in self._faults]

    def set_latency(self, milliseconds: float) -> None:
        self.latency_ms = milliseconds

    # --- seeding ----------------------------------------------------------------------------------

    def snapshot(self) -> FakeState:
        """A copy of the shops and their records, to start another fake from (`restore`): a test
        module loads its data once and each test begins where the load left the fake."""
        with self._lock:
            keep = {id(state.bucket): state.bucket for state in self._shops.values()}
            return FakeState(copy.deepcopy(self._shops, keep), self._ids)

    def restore(self, state: FakeState) -> None:
        """Hold a fresh copy of `state`'s shops and records, each shop with a full rate-limit
        bucket on this fake's clock. The id sequence is shared with the fake it came from, so no
        id is handed out twice."""
        keep = {id(shop.bucket): shop.bucket for shop in state.shops.values()}
        shops = copy.deepcopy(state.shops, keep)
        with self._lock:
            for shop in shops.values():
                shop.bucket = LeakyBucket(
                    maximum=self._bucket_size, restore_rate=self._restore_rate, clock=self._clock
                )
            self._shops = shops
            self._ids = state.ids

    def configure_shop(
        self,
        shop: str,
        *,
        name: str | None = None,
        currency_code: str | None = None,
        iana_timezone: str | None = None,
        primary_host: str | None = None,
        enabled_currencies: Iterable[str] | None = None,
        store_credit_enabled: bool | None = None,
        customer_accounts: str | None = None,
        store_credit_limit: Decimal | str | None = None,
    ) -> None:
        """Seed the shop's settings. `customer_accounts` is Shopify's CustomerAccountsVersion
        (`CLASSIC` for legacy accounts, which cannot show or spend store credit)."""
        with self._lock:
            state = self._state(shop)
            if store_credit_enabled is not None:
                state.store_credit_enabled = store_credit_enabled
            if customer_accounts is not None:
                state.shop["customerAccountsV2"]["customerAccountsVersion"] = customer_accounts
            if store_credit_limit is not None:
                state.store_credit_limit = Decimal(str(store_credit_limit))
            if name is not None:
                state.shop["name"] = name
            if currency_code is not None:
                state.shop["currencyCode"] = currency_code
                state.enabled_currencies.add(currency_code)
            if iana_timezone is not None:
                state.shop["ianaTimezone"] = iana_timezone
            if primary_host is not None:
                state.shop["primaryDomain"]["host"] = primary_host
            if enabled_currencies is not None:
                state.enabled_currencies = {state.currency, *enabled_currencies}

    def add_customer(
        self,
        shop: str,
        *,
        email: str,
        verified_email: bool = True,
        state: str = "ENABLED",
        tags: Iterable[str] = (),
        marketing_state: str = "NOT_SUBSCRIBED",
        marketing_opt_in_level: str | None = None,
        marketing_updated_at: datetime | str | None = None,
        created_at: datetime | str | None = None,
        updated_at: datetime | str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        locale: str = "en",
        customer_id: int | None = None,
    ) -> str:
        """Seed a customer; returns its GID."""
        with self._lock:
            shop_state = self._state(shop)
            created = self._stamp(created_at)
            record: dict[str, Any] = {
                "__typename": "Customer",
                "id": gid("Customer", customer_id or self._ids()),
                "email": email,
                "defaultEmailAddress": {
                    "__typename": "CustomerEmailAddress",
                    "emailAddress": email,
                    "marketingState": marketing_state,
                    "marketingOptInLevel": marketing_opt_in_level,
                    "marketingUpdatedAt": self._stamp(marketing_updated_at)
                    if marketing_updated_at
                    else None,
                    "validFormat": "@" in email,
                },
                "verifiedEmail": verified_email,
                "state": state,
                "tags": list(tags),
                "firstName": first_name,
                "lastName": last_name,
                "displayName": " ".join(p for p in (first_name, last_name) if p) or email,
                "locale": locale,
                "createdAt": created,
                "updatedAt": self._stamp(updated_at) if updated_at else created,
            }
            shop_state.customers[record["id"]] = record
            return str(record["id"])  # a gid

    def update_customer(
        self,
        shop: str,
        customer_gid: str,
        *,
        email: str | None = None,
        verified_email: bool | None = None,
        marketing_state: str | None = None,
        state: str | None = None,
        updated_at: datetime | str | None = None,
    ) -> None:
        """Change a seeded customer as a merchant or shopper would (bumps updatedAt)."""
        with self._lock:
            record = self._state(shop).customers[customer_gid]
            if email is not None:
                record["email"] = email
                record["defaultEmailAddress"]["emailAddress"] = email
            if verified_email is not None:
                record["verifiedEmail"] = verified_email
            if marketing_state is not None:
                record["defaultEmailAddress"]["marketingState"] = marketing_state
                record["defaultEmailAddress"]["marketingUpdatedAt"] = self._stamp(updated_at)
            if state is not None:
                record["state"] = state
            record["updatedAt"] = self._stamp(updated_at)

    def add_product(
        self,
        shop: str,
        *,
        title: str,
        product_type: str = "",
        tags: Iterable[str] = (),
        updated_at: datetime | str | None = None,
        product_id: int | None = None,
    ) -> str:
        """Seed a product; returns its GID."""
        with self._lock:
            stamp = self._stamp(updated_at)
            record: dict[str, Any] = {
                "__typename": "Product",
                "id": gid("Product", product_id or self._ids()),
                "title": title,
                "productType": product_type,
                "tags": list(tags),
                "vendor": "TESmart",
                "status": "ACTIVE",
                "createdAt": stamp,
                "updatedAt": stamp,
            }
            self._state(shop).products[record["id"]] = record
            return str(record["id"])  # a gid

    def add_order(
        self,
        shop: str,
        *,
        line_items: Iterable[Mapping[str, Any]],
        customer: str | None = None,
        email: str | None = None,
        currency: str | None = None,
        name: str | None = None,
        created_at: datetime | str | None = None,
        processed_at: datetime | str | None = None,
        updated_at: datetime | str | None = None,
        cancelled_at: datetime | str | None = None,
        cancel_reason: str | None = None,
        financial_status: str = "PAID",
        test: bool = False,
        shipping_address: Mapping[str, str] | None = None,
        fulfillments: Iterable[Mapping[str, Any]] = (),
        discount_codes: Iterable[str] = (),
        order_id: int | None = None,
        presentment_currency: str | None = None,
        rate: Decimal | str | int = 1,
        taxes_included: bool = False,
    ) -> str:
        """Seed an order; returns its GID.

        `line_items`: mappings with `price` (unit price), and optionally `quantity` (1), `product`
        (a product GID, or None as on a deleted product), `discount` (for the whole line), `tax`
        (the line's whole tax), `title`, `sku`. `shipping_address`: address1, zip, city,
        country_code. `fulfillments`: mappings with created_at, delivered_at, status (SUCCESS).

        Money as Shopify keeps it: `currency` is the shop's (`currencyCode`, every `shopMoney`);
        `presentment_currency` is what the customer paid in (`presentmentCurrencyCode`, every
        `presentmentMoney`), at `rate` of it per shop unit. With `taxes_included` (tesmart.de, .jp,
        .co.kr) line prices include their tax; otherwise the tax is added to the total.
        """
        with self._lock:
            state = self._state(shop)
            currency = currency or state.currency
            shown = presentment_currency or currency
            rate = Decimal(str(rate)) if shown != currency else Decimal(1)
            customer_record = state.customers[customer] if customer else None
            created = self._stamp(created_at)
            lines = [self._line_item(state, item, currency, shown, rate) for item in line_items]
            subtotal = sum(
                (
                    Decimal(line["discountedUnitPriceAfterAllDiscountsSet"]["shopMoney"]["amount"])
                    * line["quantity"]
                    for line in lines
                ),
                Decimal(0),
            )
            tax = sum(
                (
                    Decimal(t["priceSet"]["shopMoney"]["amount"])
                    for line in lines
                    for t in line["taxLines"]
                ),
                Decimal(0),
            )
            total = subtotal if taxes_included else subtotal + tax

            def bag(value: Decimal | int) -> dict[str, dict[str, str]]:
                return money_bag(value, currency, shown, rate)

            number = order_id or self._ids()
            record: dict[str, Any] = {
                "__typename": "Order",
                "id": gid("Order", number),
                "name": name or f"#{number}",
                "email": email if email is not None else (customer_record or {}).get("email"),
                "createdAt": created,
                "processedAt": self._stamp(processed_at) if processed_at else created,
                "updatedAt": self._stamp(updated_at) if updated_at else created,
                "cancelledAt": self._stamp(cancelled_at) if cancelled_at else None,
                "cancelReason": cancel_reason if cancelled_at else None,
                "currencyCode": currency,
                "presentmentCurrencyCode": shown,
                "_rate": rate,  # not a schema field: the order's exchange rate
                "taxesIncluded": taxes_included,
                "displayFinancialStatus": financial_status,
                "displayFulfillmentStatus": "FULFILLED" if fulfillments else "UNFULFILLED",
                "test": test,
                "discountCodes": list(discount_codes),
                "tags": [],
                "customer": customer_record,
                "shippingAddress": _address(shipping_address),
                "totalPriceSet": bag(total),
                "subtotalPriceSet": bag(subtotal),
                "currentSubtotalPriceSet": bag(subtotal),
                "currentTotalPriceSet": bag(total),
                "totalTaxSet": bag(tax),
                "currentTotalTaxSet": bag(tax),
                "totalRefundedSet": bag(0),
                "lineItems": lines,
                "refunds": [],
                "fulfillments": [self._fulfillment(f) for f in fulfillments],
                # The payment a partial refund goes back to (trade-in payouts refund through it).
                "transactions": [
                    {
                        "__typename": "OrderTransaction",
                        "id": gid("OrderTransaction", self._ids()),
                        "kind": "SALE",
                        "status": "SUCCESS",
                        "gateway": "bogus",
                        "amountSet": bag(total),
                    }
                ],
            }
            state.orders[record["id"]] = record
            return str(record["id"])  # a gid

    def add_fulfillment(
        self,
        shop: str,
        order_gid: str,
        *,
        created_at: datetime | str | None = None,
        delivered_at: datetime | str | None = None,
        status: str = "SUCCESS",
    ) -> None:
        with self._lock:
            order = self._state(shop).orders[order_gid]
            order["fulfillments"].append(
                self._fulfillment(
                    {"created_at": created_at, "delivered_at": delivered_at, "status": status}
                )
            )
            order["displayFulfillmentStatus"] = "FULFILLED"
            order["updatedAt"] = self._stamp(None)

    def add_refund(
        self,
        shop: str,
        order_gid: str,
        amount: Decimal | str,
        *,
        status: str = "SUCCESS",
        created_at: datetime | str | None = None,
    ) -> str:
        """A refund the merchant made in Shopify's admin: `amount` in the customer's currency
        (the order's presentment currency), its transaction `status` SUCCESS or PENDING (money
        not yet given back; `settle_refund` settles it). Returns the refund's GID."""
        with self._lock:
            order = self._state(shop).orders[order_gid]
            rate = Decimal(str(order.get("_rate", 1)))
            shown = Decimal(str(amount))
            shop_amount = money_amount(shown / rate, order["currencyCode"])
            stamp = self._stamp(created_at)
            bag = {
                "shopMoney": {"amount": shop_amount, "currencyCode": order["currencyCode"]},
                "presentmentMoney": {
                    "amount": money_amount(shown, order["presentmentCurrencyCode"]),
                    "currencyCode": order["presentmentCurrencyCode"],
                },
            }
            refund: dict[str, Any] = {
                "__typename": "Refund",
                "id": gid("Refund", self._ids()),
                "createdAt": stamp,
                "processedAt": stamp,
                "updatedAt": stamp,
                "note": None,
                "totalRefundedSet": bag,
                "refundLineItems": [],
                "transactions": [
                    {
                        "__typename": "OrderTransaction",
                        "id": gid("OrderTransaction", self._ids()),
                        "kind": "REFUND",
                        "status": status,
                        "gateway": "bogus",
                        "amountSet": bag,
                    }
                ],
            }
            order["refunds"].append(refund)
            if status == "SUCCESS":
                self._count_refund(order, Decimal(shop_amount), shown)
            order["updatedAt"] = stamp
            return str(refund["id"])  # a gid

    def settle_refund(
        self, shop: str, order_gid: str, refund_gid: str, *, at: datetime | str | None = None
    ) -> None:
        """A pending refund's money goes out: its transactions succeed, the order changes."""
        with self._lock:
            order = self._state(shop).orders[order_gid]
            refund = next(r for r in order["refunds"] if r["id"] == refund_gid)
            for transaction in refund["transactions"]:
                if transaction["status"] == "PENDING":
                    transaction["status"] = "SUCCESS"
                    self._count_refund(
                        order,
                        Decimal(transaction["amountSet"]["shopMoney"]["amount"]),
                        Decimal(transaction["amountSet"]["presentmentMoney"]["amount"]),
                    )
            order["updatedAt"] = self._stamp(at)

    @staticmethod
    def _count_refund(order: dict[str, Any], shop_amount: Decimal, shown: Decimal) -> None:
        refunded = order["totalRefundedSet"]
        total = Decimal(refunded["shopMoney"]["amount"]) + shop_amount
        order["totalRefundedSet"] = {
            "shopMoney": {
                "amount": money_amount(total, order["currencyCode"]),
                "currencyCode": order["currencyCode"],
            },
            "presentmentMoney": {
                "amount": money_amount(
                    Decimal(refunded["presentmentMoney"]["amount"]) + shown,
                    order["presentmentCurrencyCode"],
                ),
                "currencyCode": order["presentmentCurrencyCode"],
            },
        }
        paid = Decimal(order["totalPriceSet"]["shopMoney"]["amount"])
        order["displayFinancialStatus"] = "REFUNDED" if total >= paid else "PARTIALLY_REFUNDED"

    def cancel_order(
        self,
        shop: str,
        order_gid: str,
        *,
        reason: str = "CUSTOMER",
        cancelled_at: datetime | str | None = None,
    ) -> None:
        with self._lock:
            order = self._state(shop).orders[order_gid]
            order["cancelledAt"] = self._stamp(cancelled_at)
            order["cancelReason"] = reason
            order["updatedAt"] = order["cancelledAt"]

    def register_token(
        self, shop: str, access_token: str, *, expires_at: datetime | None = None
    ) -> None:
        """Accept `access_token` for `shop` (only matters with `require_valid_tokens=True`)."""
        with self._lock:
            self._state(shop).access_tokens[access_token] = IssuedToken(expires_at=expires_at)

    def delete_discount(self, shop: str, node_id: str) -> None:
        """The merchant deletes a discount in the Shopify admin: it no longer exists."""
        with self._lock:
            state = self._state(shop)
            state.discounts.pop(node_id, None)
            for code, found in list(state.discount_ids_by_code.items()):
                if found == node_id:
                    del state.discount_ids_by_code[code]

    def expire_refresh_tokens(self, shop: str) -> None:
        """Every refresh token of `shop` reaches its end (its 90 days ran out, or the app's access
        was revoked): only a new token exchange gives the app access again."""
        with self._lock:
            for issued in self._state(shop).refresh_tokens.values():
                issued.expires_at = self._now()

    # --- inspection -------------------------------------------------------------------------------

    @property
    def calls(self) -> list[FakeCall]:
        """Every GraphQL request so far, oldest first (a copy)."""
        with self._lock:
            return list(self._calls)

    def operations_called(self, shop: str | None = None) -> list[str | None]:
        with self._lock:
            return [
                c.operation_name for c in self._calls if shop is None or c.shop == shop_domain(shop)
            ]

    def flow_triggers(self, shop: str, handle: str | None = None) -> list[dict[str, Any]]:
        """The Flow triggers the shop received, oldest first (``handle``, ``payload``)."""
        with self._lock:
            return [
                dict(t)
                for t in self._state(shop).flow_triggers
                if handle is None or t["handle"] == handle
            ]

    def customer_metafields(self, shop: str, customer_gid: str) -> dict[str, str]:
        """The customer's metafields as ``{"<namespace as sent>.<key>": value}``."""
        with self._lock:
            return {
                f"{namespace}.{key}": record["value"]
                for (owner, namespace, key), record in self._state(shop).metafields.items()
                if owner == customer_gid
            }

    def all_customer_metafields(self, shop: str) -> dict[str, dict[str, str]]:
        """Every customer's metafields: ``{customer_gid: {"<namespace>.<key>": value}}``."""
        with self._lock:
            found: dict[str, dict[str, str]] = {}
            for (owner, namespace, key), record in self._state(shop).metafields.items():
                if owner.startswith("gid://shopify/Customer/"):
                    found.setdefault(owner, {})[f"{namespace}.{key}"] = record["value"]
            return found

    def discount_codes(self, shop: str) -> list[dict[str, Any]]:
        """The shop's code discounts, flattened for assertions."""
        with self._lock:
            now = self._now()
            found = []
            for node in self._state(shop).discounts.values():
                discount = node["codeDiscount"]
                value = (discount.get("customerGets") or {}).get("value") or {}
                found.append(
                    {
                        "id": node["id"],
                        "type": discount["__typename"],
                        "code": discount["codes"][0]["code"],
                        "title": discount["title"],
                        "status": discount_status(discount, now),
                        "starts_at": discount["startsAt"],
                        "ends_at": discount["endsAt"],
                        "usage_limit": discount["usageLimit"],
                        "applies_once_per_customer": discount["appliesOncePerCustomer"],
                        "customer_ids": [c["id"] for c in discount["context"]["customers"]],
                        "percentage": value.get("percentage"),
                        "amount": (value.get("amount") or {}).get("amount"),
                        "combines_with": dict(discount["combinesWith"]),
                    }
                )
            return found

    def store_credit(self, shop: str, customer_gid: str, currency: str | None = None) -> Decimal:
        """The customer's store credit balance in `currency` (the shop's by default)."""
        with self._lock:
            state = self._state(shop)
            account = state.credit_accounts.get((customer_gid, currency or state.currency))
            return Decimal(account["balance"]["amount"]) if account else Decimal(0)

    def spend_store_credit(
        self, shop: str, customer_gid: str, amount: Decimal | str, currency: str | None = None
    ) -> None:
        """A checkout paid partly with store credit: the balance goes down, and so do the credits'
        remaining amounts, the soonest to expire first (credits without expiry last)."""
        with self._lock:
            state = self._state(shop)

            consume_credit(state, customer_gid, currency or state.currency, Decimal(str(amount)))

    def store_credit_transactions(self, shop: str) -> list[dict[str, Any]]:
        with self._lock:
            return [
                {
                    "id": t["id"],
                    "owner": t["account"]["ownerId"],
                    "amount": Decimal(t["amount"]["amount"]),
                    "currency": t["amount"]["currencyCode"],
                    "kind": "debit"
                    if t["__typename"] == "StoreCreditAccountDebitTransaction"
                    else "credit",
                    "expires_at": t.get("expiresAt"),
                    "remaining": Decimal(t["remainingAmount"]["amount"])
                    if t.get("remainingAmount")
                    else None,
                }
                for t in self._state(shop).credit_transactions
            ]

    def refunds(self, shop: str, order_gid: str) -> list[dict[str, Any]]:
        with self._lock:
            order = self._state(shop).orders[order_gid]
            return [
                {
                    "id": r["id"],
                    "amount": Decimal(r["totalRefundedSet"]["shopMoney"]["amount"]),
                    "currency": r["totalRefundedSet"]["shopMoney"]["currencyCode"],
                    "presentment_amount": Decimal(
                        r["totalRefundedSet"]["presentmentMoney"]["amount"]
                    ),
                    "presentment_currency": r["totalRefundedSet"]["presentmentMoney"][
                        "currencyCode"
                    ],
                    "note": r["note"],
                }
                for r in order["refunds"]
            ]

    def customer(self, shop: str, customer_gid: str) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._state(shop).customers[customer_gid])

    def order(self, shop: str, order_gid: str) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._state(shop).orders[order_gid])

    def bucket_status(self, shop: str) -> dict[str, float | int]:
        with self._lock:
            return self._state(shop).bucket.status()

    def drain_bucket(self, shop: str, to: float = 0.0) -> None:
        """Leave `to` points in the shop's bucket, as if other work had spent the rest."""
        with self._lock:
            self._state(shop).bucket.drain(to)

    def access_token_valid(self, shop: str, access_token: str) -> bool:
        with self._lock:
            return access_token_ok(self._state(shop), access_token, self._now())

    def reset(self) -> None:
        """Forget all shops, faults and calls."""
        with self._lock:
            self._shops.clear()
            self._faults.clear()
            self._calls.clear()

    # --- WSGI ------------------------------------------------------------------------------------

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        request = Request(environ)
        response = self._dispatch(request)
        return response(environ, start_response)

    def _dispatch(self, request: Request) -> Response:
        path = request.path
        if path == "/health":
            return Response("ok", mimetype="text/plain")
        match = _GRAPHQL_PATH.match(path)
        if match is None and path != _TOKEN_PATH:
            return _json(404, {"errors": "Not Found"})
        if request.method != "POST":
            return _json(405, {"errors": "Method Not Allowed"})
        host = request.headers.get("X-Forwarded-Host") or request.host or ""
        domain = shop_domain(host)
        if not re.match(r"^[a-z0-9][a-z0-9-]*\.myshopify\.com$", domain):
            return _json(404, {"errors": "Not Found"})
        if match is None:
            return self._token_endpoint(request, domain)
        return self._graphql(request, domain, match["version"])

    def _token_endpoint(self, request: Request, domain: str) -> Response:
        body: Mapping[str, Any]
        if request.mimetype == "application/json":
            body = request.get_json(silent=True) or {}
        else:
            body = request.form.to_dict()
        with self._lock:
            status, payload = token_response(self._state(domain), body, self._policy, self._now())
        return _json(status, payload)

    def _graphql(self, request: Request, domain: str, version: str) -> Response:
        try:
            schema = admin_schema(version)
        except SchemaUnavailable:
            return _json(404, {"errors": "Not Found"})
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            return _json(400, {"errors": {"query": "Required parameter missing or invalid"}})
        source: str = body["query"]
        variables = body.get("variables") or {}
        if not isinstance(variables, dict):
            return _json(400, {"errors": {"variables": "Invalid variables"}})
        identity = _identify(source, body.get("operationName"))
        token = request.headers.get("X-Shopify-Access-Token", "")

        with self._lock:
            state = self._state(domain)
            authorized = bool(token) and (
                not self.require_valid_tokens or access_token_ok(state, token, self._now())
            )
            fault = self._take_fault(identity) if authorized else None
        if not authorized:
            self._record(domain, identity, variables, "unauthorized")
            return _json(401, {"errors": _INVALID_TOKEN})

        if self.latency_ms:
            self._sleep(self.latency_ms / 1000)
        if fault is not None:
            early = self._play_fault(fault, domain, identity, variables)
            if early is not None:
                return early

        document, errors = _checked(version, source)
        if document is None:
            self._record(domain, identity, variables, "invalid")
            return _json(200, {"errors": list(errors)})
        operation, fragments = _operation(document, body.get("operationName"))
        if operation is None:
            self._record(domain, identity, variables, "invalid")
            return _json(
                200,
                {
                    "errors": [
                        {
                            "message": "An operation name is required",
                            "extensions": {"code": "BAD_REQUEST"},
                        }
                    ]
                },
            )
        requested = requested_cost(schema, operation, fragments, variables)
        if requested > MAX_SINGLE_QUERY_COST:
            self._record(domain, identity, variables, "max_cost_exceeded", requested)
            return _json(200, {"errors": [max_cost_error(requested)]})

        user_error = None
        if fault is not None and fault.kind == "user_error":
            user_error = InjectedUserError(
                field=fault.options.get("field"),
                message=str(fault.options.get("message", "Injected user error")),
                code=fault.options.get("code"),
            )
        with self._lock:
            bucket = state.bucket
            if (fault is not None and fault.kind == "throttled") or not bucket.try_spend(requested):
                if fault is not None and fault.kind == "throttled":
                    bucket.drain(0)
                self._record(domain, identity, variables, "throttled", requested)
                return _json(200, throttled_body(requested, bucket.status()))
            context = RequestContext(
                state=state,
                now=self._now(),
                next_id=self._ids,
                user_error=user_error,
                scopes=frozenset(x.strip() for x in self._policy.scopes.split(",") if x.strip()),
            )
            result = execute(
                schema,
                document,
                context_value=context,
                variable_values=variables,
                operation_name=operation.name.value if operation.name else None,
                field_resolver=field_resolver,
            )
            assert isinstance(result, ExecutionResult)  # no resolver is async, so none is awaited
            kind = operation.operation.value
            spent = actual_cost(kind, result.data, requested) if result.data is not None else 0
            bucket.refund(requested - spent)
            outcome = "user_error" if user_error else "ok"
            self._record(
                domain,
                identity,
                variables,
                outcome if not result.errors else "errors",
                requested,
                spent,
            )
            payload: dict[str, Any] = {}
            if result.errors:
                payload["errors"] = [format_error(e) for e in result.errors]
            if result.data is not None:
                payload["data"] = result.data
            payload["extensions"] = {
                "cost": {
                    "requestedQueryCost": requested,
                    "actualQueryCost": spent,
                    "throttleStatus": bucket.status(),
                }
            }
        return _json(200, payload)

    def _play_fault(
        self, fault: _Fault, domain: str, identity: _Identity | None, variables: dict[str, Any]
    ) -> Response | None:
        """The response a fault replaces the real one with; None when the request still runs."""
        kind = fault.kind
        if kind in ("throttled", "user_error"):
            return None
        if kind == "timeout":
            # Served on a socket: hold the answer past the client's timeout (then, if `applied`,
            # run the request anyway, as a server that finished too late would).
            self._sleep(float(fault.options.get("seconds", 35.0)))
            if fault.options.get("applied"):
                return None
            self._record(domain, identity, variables, kind)
            return _json(504, {"errors": "Gateway Timeout"})
        self._record(domain, identity, variables, kind)
        if kind == "http_429":
            response = _json(
                429,
                {
                    "errors": "Exceeded 2 calls per second for api client. Reduce request rates to "
                    "resume uninterrupted service."
                },
            )
            response.headers["Retry-After"] = str(fault.options.get("retry_after", "2.0"))
            return response
        if kind == "http_401":
            return _json(401, {"errors": _INVALID_TOKEN})
        status = 500 if kind == "http_500" else 503
        return _json(
            status, {"errors": "Internal Server Error" if status == 500 else "Service Unavailable"}
        )

    # --- internals --------------------------------------------------------------------------------

    def _state(self, shop: str) -> ShopState:
        domain = shop_domain(shop)
        state = self._shops.get(domain)
        if state is None:
            bucket = LeakyBucket(
                maximum=self._bucket_size, restore_rate=self._restore_rate, clock=self._clock
            )
            state = self._shops[domain] = new_shop_state(domain, bucket)
        return state

    def _take_fault(
        self, identity: _Identity | None, kinds: frozenset[str] | None = None
    ) -> _Fault | None:
        """Consume one use of the first fault matching the request (if its kind is in `kinds`)."""
        for fault in self._faults:
            if not _fault_matches(fault, identity):
                continue
            if kinds is not None and fault.kind not in kinds:
                return None
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._faults.remove(fault)
            return fault
        return None

    def _take_timeout(self, request: httpx.Request) -> tuple[_Fault | None, _Identity | None]:
        if not _GRAPHQL_PATH.match(request.url.path):
            return None, None
        try:
            body = json.loads(request.read() or b"{}")
        except ValueError:
            return None, None
        if not isinstance(body, dict):
            return None, None
        identity = _identify(str(body.get("query", "")), body.get("operationName"))
        with self._lock:
            return self._take_fault(identity, kinds=frozenset({"timeout"})), identity

    def _record(
        self,
        domain: str,
        identity: _Identity | None,
        variables: dict[str, Any],
        outcome: str,
        requested: int | None = None,
        actual: int | None = None,
    ) -> None:
        with self._lock:
            self._calls.append(
                FakeCall(
                    shop=domain,
                    operation_name=identity.name if identity else None,
                    root_fields=identity.root_fields if identity else (),
                    variables=dict(variables),
                    outcome=outcome,
                    requested_cost=requested,
                    actual_cost=actual,
                )
            )

    def _stamp(self, value: datetime | str | None) -> str:
        moment = parse_time(value) if value is not None else self._now()
        return iso(moment)

    def _line_item(
        self,
        state: ShopState,
        item: Mapping[str, Any],
        currency: str,
        shown: str | None = None,
        rate: Decimal = Decimal(1),
    ) -> dict[str, Any]:
        quantity = int(item.get("quantity", 1))
        price = Decimal(str(item["price"]))
        discount = Decimal(str(item.get("discount", 0)))
        unit_after = (price * quantity - discount) / quantity
        product = state.products[item["product"]] if item.get("product") else None
        title = item.get("title") or (product["title"] if product else "Custom item")
        tax = Decimal(str(item.get("tax", 0)))

        def bag(value: Decimal | str) -> dict[str, dict[str, str]]:
            return money_bag(value, currency, shown, rate)

        return {
            "__typename": "LineItem",
            "id": gid("LineItem", self._ids()),
            "name": title,
            "title": title,
            "quantity": quantity,
            "currentQuantity": quantity,
            "sku": item.get("sku"),
            "product": product,
            "originalUnitPriceSet": bag(price),
            "discountedUnitPriceAfterAllDiscountsSet": bag(money_amount(unit_after, currency)),
            "totalDiscountSet": bag(discount),
            "taxLines": (
                [{"__typename": "TaxLine", "title": "VAT", "priceSet": bag(tax)}] if tax > 0 else []
            ),
        }

    def _fulfillment(self, data: Mapping[str, Any]) -> dict[str, Any]:
        delivered = data.get("delivered_at")
        return {
            "__typename": "Fulfillment",
            "id": gid("Fulfillment", self._ids()),
            "createdAt": self._stamp(data.get("created_at")),
            "deliveredAt": self._stamp(delivered) if delivered else None,
            "status": data.get("status", "SUCCESS"),
        }


class _InProcessTransport(httpx.BaseTransport):
    """httpx.WSGITransport into the fake, plus the one fault a WSGI app cannot play: a timeout."""

    def __init__(self, fake: FakeAdminApi) -> None:
        self._fake = fake
        self._wsgi = httpx.WSGITransport(app=fake)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        fault, identity = self._fake._take_timeout(request)
        if fault is None:
            return self._wsgi.handle_request(request)
        if fault.options.get("applied"):
            self._wsgi.handle_request(request).read()  # it ran; only the answer is lost
        else:
            self._fake._record(shop_domain(request.url.host), identity, {}, "timeout")
        raise httpx.ReadTimeout("fake Admin API: injected timeout", request=request)


def _fault_matches(fault: _Fault, identity: _Identity | None) -> bool:
    if fault.kind == "user_error" and (identity is None or identity.kind != "mutation"):
        return False
    if fault.operation is None:
        return True
    return identity is not None and (
        fault.operation == identity.name or fault.operation in identity.root_fields
    )


@functools.lru_cache(maxsize=256)
def _checked(
    api_version: str, source: str
) -> tuple[DocumentNode | None, tuple[dict[str, Any], ...]]:
    """The parsed document, or Shopify-shaped errors. Cached: an app sends the same few
    documents over and over, and validating one against the Admin schema takes ~20 ms."""
    try:
        document = parse(source)
    except GraphQLError as exc:
        return None, (format_error(exc),)
    errors = validate(admin_schema(api_version), document)
    if errors:
        return None, tuple(format_error(e) for e in errors)
    return document, ()


@functools.lru_cache(maxsize=512)
def _identify(source: str, operation_name: str | None = None) -> _Identity | None:
    try:
        document = parse(source)
    except GraphQLError:
        return None
    operation, _ = _operation(document, operation_name)
    if operation is None:
        return None
    roots = tuple(
        s.name.value for s in operation.selection_set.selections if isinstance(s, FieldNode)
    )
    return _Identity(
        name=operation.name.value if operation.name else None,
        kind=operation.operation.value,
        root_fields=roots,
    )


def _operation(
    document: DocumentNode, operation_name: str | None
) -> tuple[OperationDefinitionNode | None, dict[str, FragmentDefinitionNode]]:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    if operation_name:
        chosen = next((o for o in operations if o.name and o.name.value == operation_name), None)
    else:
        chosen = operations[0] if len(operations) == 1 else None
    return chosen, fragments


def _address(data: Mapping[str, str] | None) -> dict[str, Any] | None:
    if data is None:
        return None
    return {
        "__typename": "MailingAddress",
        "address1": data.get("address1"),
        "zip": data.get("zip"),
        "city": data.get("city"),
        "countryCodeV2": data.get("country_code"),
    }


def _json(status: int, payload: Any) -> Response:
    return Response(
        json.dumps(payload), status=status, content_type="application/json; charset=utf-8"
    )
