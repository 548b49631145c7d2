"""Shopify-shaped error bodies: validation errors, THROTTLED, MAX_COST_EXCEEDED.

Shopify answers these with HTTP 200 and an `errors` list; clients (shopify_app, our AdminClient)
tell them apart by `extensions.code`, so the codes matter more than the wording.
"""

from __future__ import annotations

import re
from typing import Any

from graphql import GraphQLError

from .cost import MAX_SINGLE_QUERY_COST

THROTTLE_DOCS = "https://shopify.dev/api/usage/rate-limits"

_UNDEFINED_FIELD = re.compile(r"^Cannot query field '(?P<field>\w+)' on type '(?P<type>\w+)'\.")
_UNKNOWN_ARGUMENT = re.compile(
    r"^Unknown argument '(?P<arg>\w+)' on field '(?P<type>\w+)\.(?P<field>\w+)'\."
)


def format_error(error: GraphQLError) -> dict[str, Any]:
    """A GraphQL error in Shopify's shape; the two commonest validation errors in its wording."""
    formatted: dict[str, Any] = {**error.formatted}
    if formatted.get("path") is None:
        formatted.pop("path", None)
    extensions = dict(formatted.get("extensions") or {})
    message = error.message
    if match := _UNDEFINED_FIELD.match(message):
        formatted["message"] = f"Field '{match['field']}' doesn't exist on type '{match['type']}'"
        extensions.update(code="undefinedField", typeName=match["type"], fieldName=match["field"])
    elif match := _UNKNOWN_ARGUMENT.match(message):
        formatted["message"] = f"Field '{match['field']}' doesn't accept argument '{match['arg']}'"
        extensions.update(
            code="argumentNotAccepted",
            name=match["field"],
            typeName="Field",
            argumentName=match["arg"],
        )
    # Never INTERNAL_SERVER_ERROR: clients retry that, and a document the fake cannot answer will
    # not get better by repeating it.
    extensions.setdefault("code", "EXECUTION_ERROR" if error.path else "GRAPHQL_VALIDATION_FAILED")
    formatted["extensions"] = extensions
    return formatted


def throttled_body(requested: int, status: dict[str, float | int]) -> dict[str, Any]:
    return {
        "errors": [
            {
                "message": "Throttled",
                "extensions": {"code": "THROTTLED", "documentation": THROTTLE_DOCS},
            }
        ],
        "extensions": {
            "cost": {
                "requestedQueryCost": requested,
                "actualQueryCost": None,
                "throttleStatus": status,
            }
        },
    }


def max_cost_error(requested: int) -> dict[str, Any]:
    return {
        "message": (
            f"Query cost is {requested}, which exceeds the single query max cost limit "
            f"({MAX_SINGLE_QUERY_COST}).\n\nTo query larger amounts of data with fewer limits, "
            "bulk operations should be used instead."
        ),
        "extensions": {
            "code": "MAX_COST_EXCEEDED",
            "cost": requested,
            "maxCost": MAX_SINGLE_QUERY_COST,
            "documentation": THROTTLE_DOCS,
        },
    }
