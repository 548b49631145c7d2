"""What the fake Admin API remembers about each shop, kept in the Admin API's own shapes.

Records are dicts shaped like the GraphQL types (camelCase keys, `__typename`, GIDs), so the
executor can project any selection out of them; fields a record lacks come back null, and a
non-null one fails loudly, which tells whoever adds a field to a document to teach the fake too.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, overload

from .cost import LeakyBucket

# Currencies without a minor unit in the shops TESmart runs (and a few neighbours).
_ZERO_DECIMAL = frozenset({"JPY", "KRW", "VND", "CLP", "ISK", "HUF", "TWD"})
_GID = re.compile(r"^gid://shopify/(?P<type>[A-Za-z]+)/(?P<id>\d+)$")


def gid(kind: str, number: int) -> str:
    return f"gid://shopify/{kind}/{number}"


def parse_gid(value: str) -> tuple[str, int] | None:
    match = _GID.match(value or "")
    return (match["type"], int(match["id"])) if match else None


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@overload
def parse_time(value: str | datetime) -> datetime: ...
@overload
def parse_time(value: None) -> None: ...
def parse_time(value: str | datetime | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = value.strip().strip("'\"")
    if len(text) == 10:  # a date: midnight UTC, as Shopify search reads it
        text += "T00:00:00Z"
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def money_amount(value: Decimal | str | float | int, currency: str) -> str:
    places = Decimal(1) if currency in _ZERO_DECIMAL else Decimal("0.01")
    return str(Decimal(str(value)).quantize(places))


def money(value: Decimal | str | float | int, currency: str) -> dict[str, str]:
    return {"amount": money_amount(value, currency), "currencyCode": currency}


def money_bag(
    value: Decimal | str | float | int,
    currency: str,
    presentment: str | None = None,
    rate: Decimal | str | int = 1,
) -> dict[str, dict[str, str]]:
    """A MoneyBag: ``value`` in the shop's ``currency``; the customer's ``presentment`` currency
    (the shop's when not given) at ``rate`` presentment units per shop unit."""
    shown = presentment or currency
    shown_value = Decimal(str(value)) * Decimal(str(rate)) if shown != currency else value
    return {"shopMoney": money(value, currency), "presentmentMoney": money(shown_value, shown)}


def order_bag(
    order: Mapping[str, Any], value: Decimal | str | float | int
) -> dict[str, dict[str, str]]:
    """A MoneyBag of ``order``'s currencies, at the order's own exchange rate."""
    return money_bag(
        value, order["currencyCode"], order["presentmentCurrencyCode"], order.get("_rate", 1)
    )


def shop_domain(shop: str) -> str:
    """`x.myshopify.com` from `x`, `x.myshopify.com` or `https://x.myshopify.com/`."""
    name = shop.strip().lower().removeprefix("https://").removeprefix("http://").rstrip("/")
    name = name.split(":", 1)[0]
    return name if name.endswith(".myshopify.com") else f"{name}.myshopify.com"


@dataclass
class IssuedToken:
    expires_at: datetime | None
    revoked: bool = False
    # Refresh tokens only: when it was first spent, and the refresh token it replaced (retired
    # once this one is spent: Shopify's recovery grace, see oauth.py).
    first_used_at: datetime | None = None
    replaces: str | None = None


@dataclass
class ShopState:
    domain: str
    bucket: LeakyBucket
    shop: dict[str, Any]
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    products: dict[str, dict[str, Any]] = field(default_factory=dict)
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    discounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    discount_ids_by_code: dict[str, str] = field(default_factory=dict)
    # (owner GID, currency) -> StoreCreditAccount record
    credit_accounts: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    credit_transactions: list[dict[str, Any]] = field(default_factory=list)
    # @idempotent key -> (fingerprint of the arguments, the payload first returned)
    idempotent_results: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    access_tokens: dict[str, IssuedToken] = field(default_factory=dict)
    refresh_tokens: dict[str, IssuedToken] = field(default_factory=dict)
    enabled_currencies: set[str] = field(default_factory=set)
    # Settings > Store credit: whether shoppers can spend it at checkout.
    store_credit_enabled: bool = True
    # The most one store credit account may hold (CREDIT_LIMIT_EXCEEDED above it); None: no limit.
    store_credit_limit: Decimal | None = None
    # flowTriggerReceive calls accepted: {"handle", "payload", "received_at"}
    flow_triggers: list[dict[str, Any]] = field(default_factory=list)
    # (owner GID, namespace as sent, key) -> Metafield record
    metafields: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    # Protected customer data fields the app is not approved for here (see
    # api.refuse_protected_fields).
    refused_fields: set[str] = field(default_factory=set)

    @property
    def currency(self) -> str:
        return str(self.shop["currencyCode"])

    def node(self, global_id: str) -> dict[str, Any] | None:
        for table in (self.customers, self.orders, self.products, self.discounts):
            if global_id in table:
                return table[global_id]
        return next((t for t in self.credit_transactions if t["id"] == global_id), None)


def new_shop_state(domain: str, bucket: LeakyBucket) -> ShopState:
    name = domain.removesuffix(".myshopify.com")
    return ShopState(
        domain=domain,
        bucket=bucket,
        shop={
            "__typename": "Shop",
            "name": name.replace("-", " ").title(),
            "myshopifyDomain": domain,
            "currencyCode": "USD",
            "ianaTimezone": "UTC",
            "primaryDomain": {"__typename": "Domain", "host": domain},
            # Store credit is shown and spent only in the new customer accounts.
            "customerAccountsV2": {
                "__typename": "CustomerAccountsV2",
                "customerAccountsVersion": "NEW_CUSTOMER_ACCOUNTS",
                "loginLinksVisibleOnStorefrontAndCheckout": True,
                "loginRequiredAtCheckout": False,
                "url": f"https://shopify.com/{name}/account",
            },
        },
        enabled_currencies={"USD"},
    )


class IdSequence:
    """Numeric ids for GIDs, unique across the whole fake (like Shopify's)."""

    def __init__(self, start: int = 1001) -> None:
        self._next = itertools.count(start)

    def __call__(self) -> int:
        return next(self._next)


# --- search syntax --------------------------------------------------------------------------

_TERM = re.compile(r"""(?P<field>[a-z_]+):(?P<op>>=|<=|>|<|)(?P<value>'[^']*'|"[^"]*"|\S+)""")
_TIME_FIELDS = {"updated_at": "updatedAt", "created_at": "createdAt", "processed_at": "processedAt"}


def matches_search(record: Mapping[str, Any], query: str | None) -> bool:
    """A small part of Shopify's search syntax: `field:value`, `field:>value` (and >=, <, <=)
    for updated_at, created_at, processed_at, email, tag, id; terms are ANDed. Other terms are
    ignored, as Shopify ignores filters it does not know (it only warns)."""
    for term in _TERM.finditer(query or ""):
        name, op, raw = term["field"], term["op"], term["value"].strip("'\"")
        if name in _TIME_FIELDS:
            have = parse_time(record.get(_TIME_FIELDS[name]))
            want = parse_time(raw)
            if have is None or want is None or not _compare(have, op, want):
                return False
        elif name == "email":
            if _email_of(record).lower() != raw.lower():
                return False
        elif name == "tag":
            if raw.lower() not in {tag.lower() for tag in record.get("tags", [])}:
                return False
        elif name == "id":
            parsed = parse_gid(str(record.get("id", "")))
            if parsed is None or not raw.isdigit() or not _compare(parsed[1], op, int(raw)):
                return False
    return True


def _compare(have: Any, op: str, want: Any) -> bool:
    outcomes: dict[str, bool] = {
        "": have == want,
        ">": have > want,
        ">=": have >= want,
        "<": have < want,
        "<=": have <= want,
    }
    return outcomes[op]


def _email_of(record: Mapping[str, Any]) -> str:
    address = record.get("defaultEmailAddress") or {}
    return str(address.get("emailAddress") or record.get("email") or "")


# --- connections ----------------------------------------------------------------------------


def _encode_cursor(key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def _decode_cursor(cursor: str) -> Any:
    try:
        return json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"Invalid cursor for current pagination sort: {cursor!r}") from exc


def connection(
    items: Iterable[Any],
    *,
    first: int | None,
    after: str | None,
    sort_key: Callable[[Any], Any] | None = None,
) -> dict[str, Any]:
    """A Relay connection over `items`.

    With `sort_key`, cursors carry the item's sort key, so a page boundary stays put when records
    change between pages (as with Shopify's cursors); without it they are positions.
    """
    ordered = list(items)
    if sort_key is None:
        keys: list[Any] = list(range(len(ordered)))
    else:
        ordered.sort(key=sort_key)
        keys = [sort_key(item) for item in ordered]
    start = 0
    if after:
        last = _decode_cursor(after)
        last = tuple(last) if isinstance(last, list) else last
        start = next(
            (i for i, key in enumerate(keys) if _as_tuple(key) > _as_tuple(last)), len(keys)
        )
    end = len(ordered) if first is None else min(len(ordered), start + first)
    page = ordered[start:end]
    cursors = [_encode_cursor(keys[i]) for i in range(start, end)]
    return {
        "edges": [{"cursor": c, "node": node} for c, node in zip(cursors, page, strict=True)],
        "nodes": page,
        "pageInfo": {
            "__typename": "PageInfo",
            "hasNextPage": end < len(ordered),
            "hasPreviousPage": start > 0,
            "startCursor": cursors[0] if cursors else None,
            "endCursor": cursors[-1] if cursors else None,
        },
    }


def _as_tuple(key: Any) -> Any:
    return tuple(key) if isinstance(key, list | tuple) else key
