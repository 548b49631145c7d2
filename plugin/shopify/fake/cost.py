"""Query cost and the rate-limit bucket, approximately as Shopify computes them.

Shopify: every app-and-store pair has a leaky bucket (Standard plan: 2,000 points, refilled at 100 a
second). Before running a query it checks the *requested* cost (computed from the document: 1 per
object, 2 plus `first` times the node cost per connection, 10 per mutation); afterwards it charges
the *actual* cost (what was really returned) and refunds the difference. A query whose requested
cost exceeds 1,000 is refused outright. This module follows those rules closely enough to exercise
a client's throttling; the exact numbers are Shopify's business.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_leaf_type,
)

MUTATION_COST = 10
MAX_SINGLE_QUERY_COST = 1000
STANDARD_BUCKET_SIZE = 2000.0
STANDARD_RESTORE_RATE = 100.0


class LeakyBucket:
    """One shop's bucket. `clock` is injectable (seconds, monotonic) so tests need not sleep."""

    def __init__(
        self,
        *,
        maximum: float = STANDARD_BUCKET_SIZE,
        restore_rate: float = STANDARD_RESTORE_RATE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.maximum = maximum
        self.restore_rate = restore_rate
        self._clock = clock
        self._level = maximum
        self._at = clock()
        self._lock = threading.Lock()

    def _refill(self) -> None:
        now = self._clock()
        # Rounded to a millionth of a point: float time arithmetic must not leave a client that
        # waited exactly long enough one hair short of its points.
        self._level = round(
            min(self.maximum, self._level + max(0.0, now - self._at) * self.restore_rate), 6
        )
        self._at = now

    def available(self) -> float:
        with self._lock:
            self._refill()
            return self._level

    def try_spend(self, points: float) -> bool:
        """Take `points` if the bucket holds them; otherwise take nothing and say no."""
        with self._lock:
            self._refill()
            if self._level < points:
                return False
            self._level -= points
            return True

    def refund(self, points: float) -> None:
        with self._lock:
            self._refill()
            self._level = min(self.maximum, self._level + max(0.0, points))

    def drain(self, to: float = 0.0) -> None:
        """Leave `to` points (another process of the same app spent the rest)."""
        with self._lock:
            self._refill()
            self._level = max(0.0, min(self._level, to))

    def status(self) -> dict[str, float | int]:
        with self._lock:
            self._refill()
            return {
                "maximumAvailable": float(self.maximum),
                "currentlyAvailable": int(self._level),
                "restoreRate": float(self.restore_rate),
            }


def requested_cost(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
) -> int:
    """The cost Shopify would ask for `operation` before running it: a mutation's is 10 points for
    each mutation field it runs (several under aliases cost several times 10)."""
    if operation.operation.value == "mutation":
        fields = sum(1 for s in operation.selection_set.selections if isinstance(s, FieldNode))
        return MUTATION_COST * max(1, fields)
    root = schema.query_type
    assert root is not None
    return max(
        1,
        int(
            _selection_cost(schema, operation.selection_set, root, fragments, variables, operation)
        ),
    )


def actual_cost(kind: str, data: Any, requested: int) -> int:
    """What the answer really cost: objects returned, never more than was requested."""
    if kind == "mutation":
        return requested
    return max(1, min(requested, _objects_in(data)))


def _objects_in(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + sum(_objects_in(item) for item in value.values())
    if isinstance(value, list):
        return sum(_objects_in(item) for item in value)
    return 0


def _selection_cost(
    schema: GraphQLSchema,
    selection_set: SelectionSetNode | None,
    parent: Any,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
    operation: OperationDefinitionNode,
) -> float:
    if selection_set is None:
        return 0.0
    total = 0.0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            total += _field_cost(schema, selection, parent, fragments, variables, operation)
        elif isinstance(selection, InlineFragmentNode):
            target = (
                schema.get_type(selection.type_condition.name.value)
                if selection.type_condition
                else parent
            )
            total += _selection_cost(
                schema, selection.selection_set, target, fragments, variables, operation
            )
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                target = schema.get_type(fragment.type_condition.name.value)
                total += _selection_cost(
                    schema, fragment.selection_set, target, fragments, variables, operation
                )
    return total


def _field_cost(
    schema: GraphQLSchema,
    node: FieldNode,
    parent: Any,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
    operation: OperationDefinitionNode,
) -> float:
    if node.name.value.startswith("__") or not isinstance(
        parent, GraphQLObjectType | GraphQLInterfaceType
    ):
        return 0.0
    field = parent.fields.get(node.name.value)
    if field is None:
        return 0.0
    named = get_named_type(field.type)
    if is_leaf_type(named):
        return 0.0
    first = _first_argument(node, variables, operation)
    if first is None:
        return 1.0 + _selection_cost(
            schema, node.selection_set, named, fragments, variables, operation
        )
    # A connection (or a paged list): 2, plus `first` times one item. pageInfo is paid once.
    per_item = 0.0
    once = 0.0
    for selection in node.selection_set.selections if node.selection_set else ():
        if isinstance(selection, FieldNode) and selection.name.value == "pageInfo":
            once += 1.0
            continue
        sub = SelectionSetNode(selections=(selection,))
        per_item += _selection_cost(schema, sub, named, fragments, variables, operation)
    if not named.name.endswith("Connection"):
        per_item += 1.0  # a plain list: each item is an object
    return 2.0 + first * per_item + once


def _first_argument(
    node: FieldNode, variables: Mapping[str, Any], operation: OperationDefinitionNode
) -> int | None:
    for argument in node.arguments or ():
        if argument.name.value not in ("first", "last"):
            continue
        value = argument.value
        if isinstance(value, IntValueNode):
            return int(value.value)
        if isinstance(value, VariableNode):
            name = value.name.value
            if variables.get(name) is not None:
                given = variables[name]
                # A bad value is for variable coercion to report, not for the cost estimate.
                return given if isinstance(given, int) and not isinstance(given, bool) else None
            for definition in operation.variable_definitions or ():
                if definition.variable.name.value == name and isinstance(
                    definition.default_value, IntValueNode
                ):
                    return int(definition.default_value.value)
    return None
