"""The GraphQL operations the app sends to Shopify, one `.graphql` file each.

A file is named after the operation it holds (`DiscountCodeBasicCreate.graphql` holds
`mutation DiscountCodeBasicCreate`), so `grep` finds both the document and every caller, and the
whole set is validated against Shopify's schema in the tests. Nothing else in the app writes
GraphQL. Fields that several operations select live once, as a fragment in
`graphql/fragments/<Name>.graphql`; an operation's document is its file followed by every fragment
it spreads, directly or not.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

DOCUMENTS_DIR = Path(__file__).resolve().parent / "graphql"
FRAGMENTS_DIR = DOCUMENTS_DIR / "fragments"
# `...Name` spreads a named fragment; `... on Type` is an inline fragment, which needs no file.
_SPREAD = re.compile(r"\.\.\.\s*(?!on\b)([_A-Za-z][_0-9A-Za-z]*)")

# Every operation the app may send, found on disk (sorted for stable test ids).
ALL_OPERATIONS: tuple[str, ...] = tuple(
    sorted(path.stem for path in DOCUMENTS_DIR.glob("*.graphql"))
)

# Mutations that are safe to repeat when it is unknown whether the first attempt took effect
# (a timeout, a 5xx): a reward code's code is unique (a repeat is a TAKEN user error), refunds carry
# an @idempotent key, deactivating, tagging and setting metafields converge. flowTriggerReceive is
# not here either: a repeat would start the merchant's workflows twice. storeCreditAccountCredit is
# NOT here: a repeat would credit twice, so the client never retries it after an ambiguous failure.
REPEATABLE_MUTATIONS = frozenset(
    {
        "DiscountCodeBasicCreate",
        "DiscountCodeDeactivate",
        "MetafieldsSet",
        "RefundCreate",
        "TagsAdd",
    }
)


class UnknownOperation(KeyError):
    """No `graphql/<name>.graphql`: every document the app sends must live in that folder."""


@functools.cache
def operation(name: str) -> str:
    """The document text of operation `name` (read once per process)."""
    if name not in ALL_OPERATIONS:
        raise UnknownOperation(f"no GraphQL operation {name!r} in {DOCUMENTS_DIR.name}/")
    text = (DOCUMENTS_DIR / f"{name}.graphql").read_text(encoding="utf-8")
    return "\n".join([text, *(fragment(used) for used in fragments_spread(text))])


class UnknownFragment(KeyError):
    """A spread names no `graphql/fragments/<name>.graphql`."""


@functools.cache
def fragment(name: str) -> str:
    """The text of fragment `name` (one definition per file, named after it)."""
    path = FRAGMENTS_DIR / f"{name}.graphql"
    if not path.is_file():
        raise UnknownFragment(
            f"no GraphQL fragment {name!r} in {DOCUMENTS_DIR.name}/{FRAGMENTS_DIR.name}/"
        )
    return path.read_text(encoding="utf-8")


def fragments_spread(text: str) -> list[str]:
    """The fragments `text` spreads, and those they spread in turn, each once, in order found."""
    found: list[str] = []
    pending = _SPREAD.findall(_without_comments(text))
    while pending:
        name = pending.pop(0)
        if name not in found:
            found.append(name)
            pending.extend(_SPREAD.findall(_without_comments(fragment(name))))
    return found


def _without_comments(text: str) -> str:
    return re.sub(r"#[^\n]*", "", text)


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


# Copies of one operation one document may carry (``aliased``): Flow triggers of a job go to
# Shopify this many to a request. Each is a mutation of Shopify's requested cost 10, so a document
# asks for 100 points, a tenth of the largest single query Shopify takes (1,000) and a second of a
# Standard plan's restore, so it never waits long for the bucket.
MAX_ALIASED = 10


def alias(index: int) -> str:
    """The response key of copy ``index`` in an ``aliased`` document."""
    return f"t{index}"


def aliased_name(name: str, count: int) -> str:
    """The operation name of ``aliased(name, count)`` (its cost is learnt under this name)."""
    return f"{name}_{count}"


def suffixed(variables: dict[str, object], index: int) -> dict[str, object]:
    """Copy ``index``'s variables, named as ``aliased`` names them."""
    return {f"{key}_{index}": value for key, value in variables.items()}


@functools.cache
def _single_field(name: str) -> tuple[Any, Any, Any]:
    """Operation ``name``'s parsed document, its operation and the one root field it selects."""
    from graphql import FieldNode, OperationDefinitionNode, parse

    document = parse(operation(name))
    (template,) = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    (root,) = template.selection_set.selections
    if not isinstance(root, FieldNode):
        raise ValueError(f"{name} must select one root field")
    return document, template, root


def root_field(name: str) -> str:
    """The one root field operation ``name`` selects (``flowTriggerReceive``)."""
    return str(_single_field(name)[2].name.value)


@functools.cache
def aliased(name: str, count: int) -> str:
    """Operation ``name`` (one root field) ``count`` times in one document: copy ``i``'s field
    under the alias ``t{i}``, its variables suffixed ``_{i}`` (``suffixed``). GraphQL runs a
    mutation document's fields one after the other, each with its own answer (``userErrors``)
    under its alias; the text is derived from the operation's file, so it is validated with it
    (tests/shopify/test_operations.py)."""
    from dataclasses import replace

    from graphql import (
        NameNode,
        VariableDefinitionNode,
        VariableNode,
        Visitor,
        print_ast,
        visit,
    )

    if not 1 <= count <= MAX_ALIASED:
        raise ValueError(f"{count} copies of {name}: between 1 and {MAX_ALIASED}")
    document, template, root = _single_field(name)

    class Suffix(Visitor):
        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

        def enter_variable(self, node: VariableNode, *_args: object) -> VariableNode:
            return VariableNode(name=NameNode(value=f"{node.name.value}_{self.index}"))

    fields, definitions = [], []
    for index in range(count):
        fields.append(replace(visit(root, Suffix(index)), alias=NameNode(value=alias(index))))
        definitions += [visit(d, Suffix(index)) for d in template.variable_definitions or ()]
    combined = replace(
        template,
        name=NameNode(value=aliased_name(name, count)),
        variable_definitions=tuple(d for d in definitions if isinstance(d, VariableDefinitionNode)),
        selection_set=replace(template.selection_set, selections=tuple(fields)),
    )
    others = tuple(d for d in document.definitions if d is not template)
    return print_ast(replace(document, definitions=(combined, *others)))
