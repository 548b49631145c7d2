"""The GraphQL operations the app sends to Shopify, one `.graphql` file each.

A file is named after the operation it holds (`DiscountCodeBasicCreate.graphql` holds
`mutation DiscountCodeBasicCreate`), so `grep` finds both the document and every caller, and the
whole set is validated against Shopify's schema in the tests. Nothing else in the app writes GraphQL.
"""

from __future__ import annotations

import functools
from pathlib import Path

DOCUMENTS_DIR = Path(__file__).resolve().parent / "graphql"

# Every operation the app may send, found on disk (sorted for stable test ids).
ALL_OPERATIONS: tuple[str, ...] = tuple(
    sorted(path.stem for path in DOCUMENTS_DIR.glob("*.graphql"))
)

# Mutations that are safe to repeat when it is unknown whether the first attempt took effect
# (a timeout, a 5xx): a reward code's code is unique (a repeat is a TAKEN user error), refunds carry
# an @idempotent key, deactivating, tagging and setting metafields converge. flowTriggerReceive is not here either: a
# repeat would start the merchant's workflows twice. storeCreditAccountCredit is NOT here: a
# repeat would credit twice, so the client never retries it after an ambiguous failure.
REPEATABLE_MUTATIONS = frozenset(
    {"DiscountCodeBasicCreate", "DiscountCodeDeactivate", "MetafieldsSet", "RefundCreate", "TagsAdd"}
)


class UnknownOperation(KeyError):
    """No `graphql/<name>.graphql`: every document the app sends must live in that folder."""


@functools.cache
def operation(name: str) -> str:
    """The document text of operation `name` (read once per process)."""
    if name not in ALL_OPERATIONS:
        raise UnknownOperation(f"no GraphQL operation {name!r} in {DOCUMENTS_DIR.name}/")
    return (DOCUMENTS_DIR / f"{name}.graphql").read_text(encoding="utf-8")


def is_mutation(name: str) -> bool:
    """Whether operation `name` is a mutation (read from its text, not guessed from its name)."""
    return _operation_kind(name) == "mutation"


def is_repeatable(name: str) -> bool:
    """Whether repeating `name` after an ambiguous failure can do no harm."""
    return not is_mutation(name) or name in REPEATABLE_MUTATIONS


@functools.cache
def _operation_kind(name: str) -> str:
    from graphql import OperationDefinitionNode, parse

    document = parse(operation(name))
    kinds = [
        definition.operation.value
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    ]
    if len(kinds) != 1:
        raise ValueError(f"{name}.graphql must hold exactly one operation, found {len(kinds)}")
    return kinds[0]
