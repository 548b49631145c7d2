"""The root fields the fake Admin API executes, selected by field name (not by document).

graphql-core runs the (already validated) document against Shopify's real schema; only the root
fields below have behaviour. They read and write one shop's :class:`ShopState`, return records in
the API's shapes, and answer with `userErrors` the way Shopify does where the app relies on it
(a taken discount code, an unknown customer, a bad amount).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, TypeGuard

from graphql import GraphQLError, GraphQLObjectType, GraphQLResolveInfo, get_named_type

from .flow import trigger_fields
from .store import (
    ShopState,
    connection,
    gid,
    iso,
    matches_search,
    money,
    money_amount,
    order_bag,
    parse_gid,
    parse_time,
)

MAX_PAGE_SIZE = 250
# Without read_all_orders, Shopify's order and orders queries see only the last 60 days (by the
# order's creation): an older order is null, and absent from lists.
ORDER_WINDOW = timedelta(days=60)
# Protected customer data (level 2) by the types that carry it.
PROTECTED_FIELDS = {
    "Customer": {"email", "firstName", "lastName", "phone", "displayName"},
    "CustomerEmailAddress": {"emailAddress"},
    "Order": {"email", "phone"},
    "MailingAddress": {
        "address1",
        "address2",
        "zip",
        "city",
        "phone",
        "firstName",
        "lastName",
        "name",
    },
}
TAKEN_MESSAGE = "Code must be unique. Please try a different code."


@dataclass
class InjectedUserError:
    field: list[str] | None
    message: str
    code: str | None


@dataclass
class RequestContext:
    """Everything one request's resolvers may touch."""

    state: ShopState
    now: datetime
    next_id: Callable[[], int]
    user_error: InjectedUserError | None = None
    scopes: frozenset[str] = frozenset()

    def order_visible(self, order: dict[str, Any] | None) -> TypeGuard[dict[str, Any]]:
        if order is None or "read_all_orders" in self.scopes:
            return order is not None
        created = parse_time(order.get("createdAt"))
        return created is None or created >= self.now - ORDER_WINDOW


def field_resolver(source: Any, info: GraphQLResolveInfo[RequestContext], **args: Any) -> Any:
    """Root fields dispatch to :class:`RootFields`; below the root, records are projected."""
    schema = info.schema
    if info.parent_type in (schema.query_type, schema.mutation_type):
        context: RequestContext = info.context
        if info.parent_type is schema.mutation_type and context.user_error is not None:
            return _injected_user_error(info, context.user_error)
        if info.field_name == "refundCreate":
            return refund_create(context, info, **args)
        resolve = getattr(RootFields, info.field_name, None)
        if resolve is None:
            raise GraphQLError(
                f"The fake Admin API does not implement {info.parent_type.name}.{info.field_name}",
                extensions={"code": "NOT_IMPLEMENTED"},
            )
        return resolve(context, **args)
    refused = info.context.state.refused_fields
    if (
        refused
        and info.field_name in refused
        and info.field_name in PROTECTED_FIELDS.get(info.parent_type.name, ())
    ):
        # A nullable field: data stays, this field is null and named in `errors` (its path).
        raise GraphQLError(
            f"This app is not approved to access the {info.parent_type.name} object's "
            f"{info.field_name} field. See "
            "https://shopify.dev/docs/apps/launch/protected-customer-data for more details.",
            extensions={"code": "ACCESS_DENIED"},
        )
    value = (
        source.get(info.field_name)
        if isinstance(source, dict)
        else getattr(source, info.field_name, None)
    )
    if callable(value):
        return value(info, **args)
    if isinstance(value, list):
        if get_named_type(info.return_type).name.endswith("Connection"):
            return connection(value, first=args.get("first"), after=args.get("after"))
        if args.get("first") is not None:
            return value[: args["first"]]
    return value


def _injected_user_error(
    info: GraphQLResolveInfo[RequestContext], error: InjectedUserError
) -> dict[str, Any]:
    entry: dict[str, Any] = {"field": error.field, "message": error.message}
    payload = get_named_type(info.return_type)
    user_errors = (
        payload.fields.get("userErrors") if isinstance(payload, GraphQLObjectType) else None
    )
    item = get_named_type(user_errors.type) if user_errors else None
    code_field = item.fields.get("code") if isinstance(item, GraphQLObjectType) else None
    if code_field is not None:
        allowed = set(getattr(get_named_type(code_field.type), "values", {}))
        for candidate in (error.code, "INVALID", "INTERNAL_ERROR"):
            if candidate in allowed:
                entry["code"] = candidate
                break
    return {"userErrors": [entry]}


def _user_error(field: list[str] | None, message: str, code: str | None = None) -> dict[str, Any]:
    return {"field": field, "message": message, "code": code}


def _invalid_id(value: str) -> GraphQLError:
    return GraphQLError(
        f"Invalid global id '{value}'", extensions={"code": "argumentLiteralsIncompatible"}
    )


def _check_gid(value: str, kind: str) -> None:
    parsed = parse_gid(value)
    if parsed is None or parsed[0] != kind:
        raise _invalid_id(value)


def _page_size(first: int | None) -> int:
    if first is None:
        raise GraphQLError(
            "you must provide one of first or last", extensions={"code": "BAD_REQUEST"}
        )
    if first > MAX_PAGE_SIZE:
        raise GraphQLError(
            f"first cannot exceed {MAX_PAGE_SIZE}. To query larger amounts of data with fewer "
            "limits, bulk operations should be used instead.",
            extensions={"code": "BAD_REQUEST"},
        )
    return first


def _sorter(sort_key: str | None, reverse: bool) -> Callable[[dict[str, Any]], Any]:
    field = {
        "UPDATED_AT": "updatedAt",
        "CREATED_AT": "createdAt",
        "PROCESSED_AT": "processedAt",
    }.get(sort_key or "ID")

    def key(record: dict[str, Any]) -> Any:
        parsed = parse_gid(record["id"])
        assert parsed is not None  # every record the fake stores has its gid
        number = parsed[1]
        if field is None:
            return -number if reverse else number
        moment = parse_time(record.get(field))
        assert moment is not None  # every record the fake stores has its timestamps
        stamp = moment.timestamp()
        return (-stamp, -number) if reverse else (stamp, number)

    return key


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _fingerprint(arguments: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(arguments, sort_keys=True, default=str).encode()).hexdigest()


def discount_status(code_discount: dict[str, Any], now: datetime) -> str:
    starts = parse_time(code_discount.get("startsAt"))
    ends = parse_time(code_discount.get("endsAt"))
    if ends is not None and ends <= now:
        return "EXPIRED"
    if starts is not None and starts > now:
        return "SCHEDULED"
    return "ACTIVE"


def _store_code_discount(
    ctx: RequestContext, data: dict[str, Any], typename: str, kind_fields: dict[str, Any]
) -> dict[str, Any]:
    """Store a code discount of ``typename`` for the customers named, with the fields every code
    discount has and ``kind_fields`` (what it gives); the mutation's payload."""
    code = data["code"].strip()
    customer_ids = list(data["context"]["customers"]["add"])
    code_discount = {
        "__typename": typename,
        "title": data["title"],
        "startsAt": iso(parse_time(data["startsAt"])),
        "endsAt": iso(parse_time(data["endsAt"])) if data.get("endsAt") else None,
        "usageLimit": data.get("usageLimit"),
        "appliesOncePerCustomer": bool(data.get("appliesOncePerCustomer")),
        "asyncUsageCount": 0,
        "createdAt": iso(ctx.now),
        "updatedAt": iso(ctx.now),
        "codes": [
            {
                "__typename": "DiscountRedeemCode",
                "id": gid("DiscountRedeemCode", ctx.next_id()),
                "code": code,
            }
        ],
        "combinesWith": dict(data.get("combinesWith") or {}),
        "context": {
            "__typename": "DiscountCustomers",
            "customers": [ctx.state.customers[c] for c in customer_ids],
        },
        **kind_fields,
    }
    node: dict[str, Any] = {
        "__typename": "DiscountCodeNode",
        "id": gid("DiscountCodeNode", ctx.next_id()),
        "codeDiscount": code_discount,
    }
    ctx.state.discounts[node["id"]] = node
    ctx.state.discount_ids_by_code[code.lower()] = node["id"]
    return {"codeDiscountNode": _discount_view(node, ctx.now), "userErrors": []}


def _discount_view(node: dict[str, Any], now: datetime) -> dict[str, Any]:
    code_discount = dict(node["codeDiscount"], status=discount_status(node["codeDiscount"], now))
    return dict(node, codeDiscount=code_discount)


class RootFields:
    """One static method per implemented root field, named (camelCase) and with arguments as in
    the schema, because the executor dispatches by field name and passes arguments by name."""

    # --- queries ---------------------------------------------------------------------------

    @staticmethod
    def shop(ctx: RequestContext) -> dict[str, Any]:
        return ctx.state.shop

    @staticmethod
    def storeCreditConfiguration(ctx: RequestContext) -> dict[str, Any]:
        return {
            "__typename": "StoreCreditConfiguration",
            "storeCreditEnabled": ctx.state.store_credit_enabled,
        }

    @staticmethod
    def node(ctx: RequestContext, id: str) -> dict[str, Any] | None:
        if parse_gid(id) is None:
            raise _invalid_id(id)
        return ctx.state.node(id)

    @staticmethod
    def customer(ctx: RequestContext, id: str) -> dict[str, Any] | None:
        _check_gid(id, "Customer")
        return ctx.state.customers.get(id)

    @staticmethod
    def order(ctx: RequestContext, id: str) -> dict[str, Any] | None:
        _check_gid(id, "Order")
        found = ctx.state.orders.get(id)
        return found if ctx.order_visible(found) else None

    @staticmethod
    def product(ctx: RequestContext, id: str) -> dict[str, Any] | None:
        _check_gid(id, "Product")
        return ctx.state.products.get(id)

    @staticmethod
    def customers(
        ctx: RequestContext,
        first: int | None = None,
        after: str | None = None,
        query: str | None = None,
        sortKey: str | None = None,
        reverse: bool = False,
        **_: Any,
    ) -> dict[str, Any]:
        found = [c for c in ctx.state.customers.values() if matches_search(c, query)]
        return connection(
            found, first=_page_size(first), after=after, sort_key=_sorter(sortKey, reverse)
        )

    @staticmethod
    def orders(
        ctx: RequestContext,
        first: int | None = None,
        after: str | None = None,
        query: str | None = None,
        sortKey: str | None = None,
        reverse: bool = False,
        **_: Any,
    ) -> dict[str, Any]:
        found = [
            o
            for o in ctx.state.orders.values()
            if ctx.order_visible(o) and matches_search(o, query)
        ]
        return connection(
            found, first=_page_size(first), after=after, sort_key=_sorter(sortKey, reverse)
        )

    @staticmethod
    def codeDiscountNodeByCode(ctx: RequestContext, code: str) -> dict[str, Any] | None:
        node_id = ctx.state.discount_ids_by_code.get(code.strip().lower())
        return _discount_view(ctx.state.discounts[node_id], ctx.now) if node_id else None

    # --- mutations -------------------------------------------------------------------------

    @staticmethod
    def discountCodeBasicCreate(
        ctx: RequestContext, basicCodeDiscount: dict[str, Any]
    ) -> dict[str, Any]:
        data = basicCodeDiscount
        errors = _discount_input_errors(ctx, data)
        if errors:
            return {"codeDiscountNode": None, "userErrors": errors}
        value = data["customerGets"]["value"]
        return _store_code_discount(
            ctx,
            data,
            "DiscountCodeBasic",
            {
                "customerGets": {
                    "value": _discount_value(value, ctx.state.currency),
                    "items": {"allItems": True},
                },
            },
        )

    @staticmethod
    def discountCodeFreeShippingCreate(
        ctx: RequestContext, freeShippingCodeDiscount: dict[str, Any]
    ) -> dict[str, Any]:
        data = freeShippingCodeDiscount
        errors = _discount_input_errors(ctx, data, base="freeShippingCodeDiscount", valued=False)
        if not (data.get("destination") or {}).get("all"):
            errors.append(
                _user_error(
                    ["freeShippingCodeDiscount", "destination"],
                    "Destination must be all countries for this fake",
                    "INVALID",
                )
            )
        if errors:
            return {"codeDiscountNode": None, "userErrors": errors}
        return _store_code_discount(
            ctx,
            data,
            "DiscountCodeFreeShipping",
            {
                "destinationSelection": {"__typename": "DiscountCountryAll", "allCountries": True},
            },
        )

    @staticmethod
    def discountCodeDeactivate(ctx: RequestContext, id: str) -> dict[str, Any]:
        _check_gid(id, "DiscountCodeNode")
        node = ctx.state.discounts.get(id)
        if node is None:
            return {
                "codeDiscountNode": None,
                "userErrors": [_user_error(["id"], "Discount does not exist", "INVALID")],
            }
        code_discount = node["codeDiscount"]
        if discount_status(code_discount, ctx.now) != "EXPIRED":
            code_discount["endsAt"] = iso(ctx.now)
            code_discount["updatedAt"] = iso(ctx.now)
        return {"codeDiscountNode": _discount_view(node, ctx.now), "userErrors": []}

    @staticmethod
    def storeCreditAccountCredit(
        ctx: RequestContext, id: str, creditInput: dict[str, Any]
    ) -> dict[str, Any]:
        state = ctx.state
        kind, currency, amount = _store_credit_input(id, creditInput["creditAmount"])
        account = None
        if kind == "StoreCreditAccount":
            account = _credit_account(state, id)
            if account is None:
                return _credit_error(
                    ["id"], "Store credit account does not exist", "ACCOUNT_NOT_FOUND"
                )
            if account["balance"]["currencyCode"] != currency:
                return _credit_error(
                    ["creditInput", "creditAmount", "currencyCode"],
                    "The currency provided does not match the currency of the store credit account",
                    "MISMATCHING_CURRENCY",
                )
            owner = account["ownerId"]
        elif kind == "Customer":
            if id not in state.customers:
                return _credit_error(["id"], "Owner does not exist", "OWNER_NOT_FOUND")
            owner = id
        else:
            return _credit_error(["id"], "Owner does not exist", "OWNER_NOT_FOUND")
        if amount is None or amount <= 0:
            return _credit_error(
                ["creditInput", "creditAmount", "amount"],
                "A positive amount must be used",
                "NEGATIVE_OR_ZERO_AMOUNT",
            )
        if currency not in state.enabled_currencies:
            return _credit_error(
                ["creditInput", "creditAmount", "currencyCode"],
                "The currency provided is not currently supported",
                "UNSUPPORTED_CURRENCY",
            )
        expires_at = parse_time(creditInput.get("expiresAt"))
        if expires_at is not None and expires_at <= ctx.now:
            return _credit_error(
                ["creditInput", "expiresAt"],
                "The expiry date must be in the future",
                "EXPIRES_AT_IN_PAST",
            )
        if account is None:
            account = state.credit_accounts.get((owner, currency))
        if account is None:
            account = {
                "__typename": "StoreCreditAccount",
                "id": gid("StoreCreditAccount", ctx.next_id()),
                "ownerId": owner,
                "balance": money(0, currency),
            }
            state.credit_accounts[(owner, currency)] = account
        balance = Decimal(account["balance"]["amount"]) + amount
        if state.store_credit_limit is not None and balance > state.store_credit_limit:
            return _credit_error(
                ["creditInput", "creditAmount", "amount"],
                "The store credit account's credit limit would be exceeded",
                "CREDIT_LIMIT_EXCEEDED",
            )
        account["balance"] = money(balance, currency)
        transaction = {
            "__typename": "StoreCreditAccountCreditTransaction",
            "id": gid("StoreCreditAccountCreditTransaction", ctx.next_id()),
            "createdAt": iso(ctx.now),
            "expiresAt": iso(expires_at) if expires_at else None,
            "amount": money(amount, currency),
            "balanceAfterTransaction": money(balance, currency),
            "remainingAmount": money(amount, currency),
            "account": account,
        }
        state.credit_transactions.append(transaction)
        return {"storeCreditAccountTransaction": transaction, "userErrors": []}

    @staticmethod
    def storeCreditAccountDebit(
        ctx: RequestContext, id: str, debitInput: dict[str, Any]
    ) -> dict[str, Any]:
        state = ctx.state
        kind, currency, amount = _store_credit_input(id, debitInput["debitAmount"])
        if kind == "StoreCreditAccount":
            account = _credit_account(state, id)
            if account is not None and account["balance"]["currencyCode"] != currency:
                return _credit_error(
                    ["debitInput", "debitAmount", "currencyCode"],
                    "The currency provided does not match the currency of the store credit account",
                    "MISMATCHING_CURRENCY",
                )
        else:
            account = state.credit_accounts.get((id, currency))
        if account is None:
            return _credit_error(["id"], "Store credit account does not exist", "ACCOUNT_NOT_FOUND")
        if amount is None or amount <= 0:
            return _credit_error(
                ["debitInput", "debitAmount", "amount"],
                "A positive amount must be used",
                "NEGATIVE_OR_ZERO_AMOUNT",
            )
        if Decimal(account["balance"]["amount"]) < amount:
            return _credit_error(
                ["debitInput", "debitAmount", "amount"],
                "The account does not have sufficient funds",
                "INSUFFICIENT_FUNDS",
            )
        consume_credit(state, account["ownerId"], currency, amount)
        transaction = {
            "__typename": "StoreCreditAccountDebitTransaction",
            "id": gid("StoreCreditAccountDebitTransaction", ctx.next_id()),
            "createdAt": iso(ctx.now),
            "amount": money(-amount, currency),
            "balanceAfterTransaction": dict(account["balance"]),
            "account": account,
        }
        state.credit_transactions.append(transaction)
        return {"storeCreditAccountTransaction": transaction, "userErrors": []}

    @staticmethod
    def tagsAdd(ctx: RequestContext, id: str, tags: list[str]) -> dict[str, Any]:
        if parse_gid(id) is None:
            raise _invalid_id(id)
        record = ctx.state.node(id)
        if record is None or "tags" not in record:
            return {"node": None, "userErrors": [_user_error(["id"], "Resource not found")]}
        wanted = [part.strip() for tag in tags for part in tag.split(",") if part.strip()]
        present = {tag.lower() for tag in record["tags"]}
        for tag in wanted:
            if tag.lower() not in present:
                record["tags"].append(tag)
                present.add(tag.lower())
        record["updatedAt"] = iso(ctx.now)
        return {"node": record, "userErrors": []}

    @staticmethod
    def flowTriggerReceive(
        ctx: RequestContext, handle: str | None = None, payload: Any = None, body: str | None = None
    ) -> dict[str, Any]:
        """Flow's rules for an app trigger: the handle of a deployed flow_trigger extension, a
        payload of at most 50 KB whose keys are exactly the extension's fields (a customer
        reference arrives as ``customer_id``)."""
        if body is not None:
            return {
                "userErrors": [_user_error(["body"], "body is deprecated: send handle and payload")]
            }
        fields = trigger_fields().get(handle or "")
        if fields is None:
            return {
                "userErrors": [_user_error(["handle"], f"Trigger with handle '{handle}' not found")]
            }
        if not isinstance(payload, dict):
            return {"userErrors": [_user_error(["payload"], "payload must be an object")]}
        if len(json.dumps(payload)) > 50_000:
            return {"userErrors": [_user_error(["payload"], "Payload exceeds 50 KB")]}
        missing, unknown = set(fields) - set(payload), set(payload) - set(fields)
        if missing or unknown:
            message = (
                f"Payload does not match the trigger's fields (missing {sorted(missing)}, unknown "
                f"{sorted(unknown)})"
            )
            return {"userErrors": [_user_error(["payload"], message)]}
        if (
            "customer_id" in payload
            and gid("Customer", int(payload["customer_id"])) not in ctx.state.customers
        ):
            return {"userErrors": [_user_error(["payload", "customer_id"], "Customer not found")]}
        ctx.state.flow_triggers.append(
            {"handle": handle, "payload": payload, "received_at": iso(ctx.now)}
        )
        return {"userErrors": []}

    @staticmethod
    def metafieldsSet(ctx: RequestContext, metafields: list[dict[str, Any]]) -> dict[str, Any]:
        """Atomic: every input is checked before any is written; at most 25 per call."""
        if len(metafields) > 25:
            return {
                "metafields": [],
                "userErrors": [
                    _user_error(
                        ["metafields"],
                        "Exceeded the maximum metafields input limit of 25.",
                        "LESS_THAN_OR_EQUAL_TO",
                    )
                ],
            }
        errors = []
        for index, item in enumerate(metafields):
            owner = str(item.get("ownerId") or "")
            if parse_gid(owner) is None or ctx.state.node(owner) is None:
                errors.append(
                    _user_error(
                        ["metafields", str(index), "ownerId"], "Owner does not exist.", "INVALID"
                    )
                )
            elif not item.get("type"):
                errors.append(
                    _user_error(["metafields", str(index), "type"], "Type can't be blank.", "BLANK")
                )
            elif (
                item.get("type") == "number_integer"
                and not str(item.get("value", "")).lstrip("-").isdigit()
            ):
                errors.append(
                    _user_error(
                        ["metafields", str(index), "value"],
                        "Value must be an integer.",
                        "INVALID_VALUE",
                    )
                )
        if errors:
            return {"metafields": [], "userErrors": errors}
        written = []
        for item in metafields:
            namespace = str(item.get("namespace") or "$app")
            record = {
                "__typename": "Metafield",
                "id": gid(
                    "Metafield", abs(hash((item["ownerId"], namespace, item["key"]))) % 10**9
                ),
                # Shopify resolves the reserved $app prefix to the app's own namespace.
                "namespace": namespace.replace("$app", "app--fake", 1),
                "key": item["key"],
                "type": item["type"],
                "value": str(item["value"]),
                "ownerId": item["ownerId"],
                "updatedAt": iso(ctx.now),
            }
            ctx.state.metafields[(item["ownerId"], namespace, item["key"])] = record
            written.append(record)
        return {"metafields": written, "userErrors": []}


def refund_create(
    ctx: RequestContext, info: GraphQLResolveInfo[RequestContext], input: dict[str, Any]
) -> dict[str, Any]:
    """refundCreate, with Shopify's 2026-04+ rule that it carries `@idempotent(key:)`."""
    key = _idempotency_key(info)
    if not key:
        raise GraphQLError(
            "The @idempotent directive is required for this mutation.",
            extensions={"code": "BAD_REQUEST"},
        )
    fingerprint = _fingerprint(input)
    earlier = ctx.state.idempotent_results.get(key)
    if earlier is not None:
        if earlier[0] != fingerprint:
            raise GraphQLError(
                "The same idempotency key cannot be used with different operation parameters.",
                extensions={"code": "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"},
            )
        return earlier[1]
    payload = _create_refund(ctx, input)
    if not payload["userErrors"]:
        ctx.state.idempotent_results[key] = (fingerprint, payload)
    return payload


def _idempotency_key(info: GraphQLResolveInfo[RequestContext]) -> str | None:
    from graphql.execution.values import get_directive_values

    idempotent = info.schema.get_directive("idempotent")
    if idempotent is None:
        return None
    values = get_directive_values(idempotent, info.field_nodes[0], info.variable_values)
    key = (values or {}).get("key")
    return key.strip() if isinstance(key, str) and key.strip() else None


def _create_refund(ctx: RequestContext, data: dict[str, Any]) -> dict[str, Any]:
    order = ctx.state.orders.get(data["orderId"])
    if not ctx.order_visible(order):
        return {
            "refund": None,
            "order": None,
            "userErrors": [_user_error(["orderId"], "Order does not exist")],
        }
    currency = order["currencyCode"]
    shown = order["presentmentCurrencyCode"]
    rate = Decimal(str(order.get("_rate", 1)))
    # Shopify: `currency` "must be the presentment currency ... required for orders where the
    # currency and presentment currency differ"; transaction amounts are then in it.
    if (shown != currency and data.get("currency") != shown) or data.get("currency") not in (
        None,
        shown,
    ):
        return {
            "refund": None,
            "order": None,
            "userErrors": [
                _user_error(
                    ["currency"],
                    f"Currency must be the order's presentment currency ({shown})",
                )
            ],
        }
    lines_by_id = {line["id"]: line for line in order["lineItems"]}
    refund_lines = []
    lines_total = Decimal(0)
    for requested in data.get("refundLineItems") or []:
        line = lines_by_id.get(requested["lineItemId"])
        if line is None:
            return {
                "refund": None,
                "order": None,
                "userErrors": [_user_error(["refundLineItems"], "Line item does not exist")],
            }
        quantity = int(requested["quantity"])
        if quantity <= 0 or quantity > line["currentQuantity"]:
            return {
                "refund": None,
                "order": None,
                "userErrors": [
                    _user_error(
                        ["refundLineItems", "quantity"],
                        "Quantity cannot refund more items than were purchased",
                    )
                ],
            }
        unit = Decimal(line["discountedUnitPriceAfterAllDiscountsSet"]["shopMoney"]["amount"])
        subtotal = unit * quantity
        lines_total += subtotal
        line["currentQuantity"] -= quantity
        refund_lines.append(
            {
                "__typename": "RefundLineItem",
                "id": gid("RefundLineItem", ctx.next_id()),
                "quantity": quantity,
                "lineItem": line,
                "restockType": requested.get("restockType") or "NO_RESTOCK",
                "subtotalSet": order_bag(order, subtotal),
                "priceSet": order_bag(order, unit),
            }
        )
    transactions_total = sum(
        (_decimal(t["amount"]) or Decimal(0) for t in data.get("transactions") or []), Decimal(0)
    )
    store_credit = [
        m["storeCreditRefund"]
        for m in data.get("refundMethods") or []
        if m.get("storeCreditRefund")
    ]
    credit_total = sum(
        (_decimal(s["amount"]["amount"]) or Decimal(0) for s in store_credit), Decimal(0)
    )
    shown_amount = transactions_total + credit_total  # presentment money, as the input gives it
    amount = Decimal(money_amount(shown_amount / rate, currency))
    if shown_amount == 0 and not (data.get("transactions") or store_credit):
        amount = lines_total
        shown_amount = Decimal(order_bag(order, amount)["presentmentMoney"]["amount"])
    if any((_decimal(t["amount"]) or Decimal(0)) < 0 for t in data.get("transactions") or []) or (
        amount < 0 or (amount == 0 and not refund_lines)
    ):
        return {
            "refund": None,
            "order": None,
            "userErrors": [
                _user_error(["transactions"], "Refund amount must be greater than zero")
            ],
        }
    already = Decimal(order["totalRefundedSet"]["shopMoney"]["amount"])
    already_shown = Decimal(order["totalRefundedSet"]["presentmentMoney"]["amount"])
    total = Decimal(order["totalPriceSet"]["shopMoney"]["amount"])
    total_shown = Decimal(order["totalPriceSet"]["presentmentMoney"]["amount"])
    if already_shown + shown_amount > total_shown and not data.get("allowOverRefunding"):
        return {
            "refund": None,
            "order": None,
            "userErrors": [
                _user_error(
                    ["transactions", "amount"],
                    "Refund amount cannot exceed the refundable amount of "
                    f"{money_amount(total_shown - already_shown, shown)}",
                )
            ],
        }
    for credit in store_credit:
        customer = order.get("customer")
        if customer is not None:
            RootFields.storeCreditAccountCredit(
                ctx,
                customer["id"],
                {"creditAmount": credit["amount"], "expiresAt": credit.get("expiresAt")},
            )
    refund = {
        "__typename": "Refund",
        "id": gid("Refund", ctx.next_id()),
        "createdAt": iso(ctx.now),
        "processedAt": iso(ctx.now),
        "updatedAt": iso(ctx.now),
        "note": data.get("note"),
        "totalRefundedSet": _bag(amount, currency, shown_amount, shown),
        "refundLineItems": refund_lines,
        "transactions": [
            {
                "__typename": "OrderTransaction",
                "id": gid("OrderTransaction", ctx.next_id()),
                "kind": "REFUND",
                "status": "SUCCESS",
                "gateway": t.get("gateway"),
                "amountSet": _bag(
                    money_amount((_decimal(t["amount"]) or Decimal(0)) / rate, currency),
                    currency,
                    t["amount"],
                    shown,
                ),
            }
            for t in data.get("transactions") or []
        ],
    }
    order["refunds"].append(refund)
    refunded = already + amount
    order["totalRefundedSet"] = _bag(refunded, currency, already_shown + shown_amount, shown)
    current = Decimal(order["currentSubtotalPriceSet"]["shopMoney"]["amount"]) - lines_total
    order["currentSubtotalPriceSet"] = order_bag(order, current)
    order["displayFinancialStatus"] = "REFUNDED" if refunded >= total else "PARTIALLY_REFUNDED"
    order["updatedAt"] = iso(ctx.now)
    return {"refund": refund, "order": order, "userErrors": []}


def consume_credit(state: Any, owner: str, currency: str, amount: Decimal) -> None:
    """Take ``amount`` off the owner's balance and off the credits' remaining amounts, the soonest
    to expire first (credits that never expire last), as spending at checkout does."""
    account = state.credit_accounts.get((owner, currency))
    if account is None or Decimal(account["balance"]["amount"]) < amount:
        raise ValueError("not enough store credit")
    account["balance"] = money(Decimal(account["balance"]["amount"]) - amount, currency)
    credits = [
        t
        for t in state.credit_transactions
        if t["__typename"] == "StoreCreditAccountCreditTransaction"
        and t["account"] is account
        and Decimal(t["remainingAmount"]["amount"]) > 0
    ]
    credits.sort(
        key=lambda t: (t.get("expiresAt") is None, t.get("expiresAt") or "", t["createdAt"])
    )
    left = amount
    for credit in credits:
        take = min(left, Decimal(credit["remainingAmount"]["amount"]))
        credit["remainingAmount"] = money(
            Decimal(credit["remainingAmount"]["amount"]) - take, currency
        )
        left -= take
        if left <= 0:
            break


def _bag(amount: Any, currency: str, shown_amount: Any, shown: str) -> dict[str, Any]:
    return {"shopMoney": money(amount, currency), "presentmentMoney": money(shown_amount, shown)}


def _credit_error(field: list[str], message: str, code: str) -> dict[str, Any]:
    return {
        "storeCreditAccountTransaction": None,
        "userErrors": [_user_error(field, message, code)],
    }


def _discount_value(value: dict[str, Any], currency: str) -> dict[str, Any]:
    if value.get("percentage") is not None:
        return {"__typename": "DiscountPercentage", "percentage": float(value["percentage"])}
    amount = value["discountAmount"]
    return {
        "__typename": "DiscountAmount",
        "amount": money(amount["amount"], currency),
        "appliesOnEachItem": bool(amount.get("appliesOnEachItem")),
    }


def _discount_input_errors(
    ctx: RequestContext,
    data: dict[str, Any],
    *,
    base: str = "basicCodeDiscount",
    valued: bool = True,
) -> list[dict[str, Any]]:
    """Shopify's user errors for a code discount's input; ``valued``: it has ``customerGets``
    (a free-shipping code has none: its value is the shipping)."""
    errors: list[dict[str, Any]] = []

    def error(path: list[str], message: str, code: str) -> None:
        errors.append(_user_error([base, *path], message, code))

    code = (data.get("code") or "").strip()
    if not code:
        error(["code"], "Code can't be blank", "BLANK")
    elif len(code) > 255:
        error(["code"], "Code is too long (maximum is 255 characters)", "TOO_LONG")
    elif code.lower() in ctx.state.discount_ids_by_code:
        error(["code"], TAKEN_MESSAGE, "TAKEN")
    if not (data.get("title") or "").strip():
        error(["title"], "Title can't be blank", "BLANK")
    starts = parse_time(data.get("startsAt"))
    if starts is None:
        error(["startsAt"], "Starts at can't be blank", "BLANK")
    ends = parse_time(data.get("endsAt"))
    if starts is not None and ends is not None and ends <= starts:
        error(["endsAt"], "Ends at needs to be after starts_at", "END_DATE_BEFORE_START_DATE")
    usage_limit = data.get("usageLimit")
    if usage_limit is not None and usage_limit <= 0:
        error(["usageLimit"], "Usage limit must be greater than 0", "GREATER_THAN")

    customers = ((data.get("context") or {}).get("customers") or {}).get("add")
    if not data.get("context"):
        error(["context"], "Context can't be blank", "BLANK")
    elif not customers:
        error(["context", "customers", "add"], "Customers can't be blank", "BLANK")
    else:
        for customer_id in customers:
            parsed = parse_gid(customer_id)
            if parsed is None or parsed[0] != "Customer" or customer_id not in ctx.state.customers:
                error(
                    ["context", "customers", "add"],
                    f"Customer {customer_id} does not exist",
                    "INVALID",
                )

    if not valued:
        return errors
    gets = data.get("customerGets") or {}
    value = gets.get("value") or {}
    percentage, amount = value.get("percentage"), value.get("discountAmount")
    if percentage is None and amount is None:
        error(["customerGets", "value"], "Value can't be blank", "BLANK")
    elif percentage is not None and amount is not None:
        error(
            ["customerGets", "value"],
            "Only one of percentage or discountAmount can be set",
            "INVALID",
        )
    elif percentage is not None and not 0 < float(percentage) <= 1:
        error(
            ["customerGets", "value", "percentage"],
            "Value must be between 0.0 and 1.0",
            "VALUE_OUTSIDE_RANGE",
        )
    elif amount is not None:
        decimal = _decimal(amount.get("amount"))
        if decimal is None or decimal <= 0:
            error(
                ["customerGets", "value", "discountAmount", "amount"],
                "Value must be greater than 0",
                "GREATER_THAN",
            )
    if not (gets.get("items") or {}).get("all"):
        error(["customerGets", "items"], "Items must be all items for this fake", "INVALID")
    return errors


def _store_credit_input(id: str, amount_input: dict[str, Any]) -> tuple[str, str, Decimal | None]:
    """A store-credit mutation's target kind (account or customer), currency and amount."""
    parsed = parse_gid(id)
    if parsed is None:
        raise _invalid_id(id)
    return parsed[0], amount_input["currencyCode"], _decimal(amount_input["amount"])


def _credit_account(state: Any, id: str) -> dict[str, Any] | None:
    return next((a for a in state.credit_accounts.values() if a["id"] == id), None)
