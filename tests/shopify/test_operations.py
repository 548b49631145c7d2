"""Every GraphQL document the app sends is valid against Shopify's schema and affordable."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from graphql import (
    FieldNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    parse,
)

from plugin.shopify import API_VERSION
from plugin.shopify.fake.cost import MAX_SINGLE_QUERY_COST, requested_cost
from plugin.shopify.operations import (
    ALL_OPERATIONS,
    MAX_ALIASED,
    UnknownOperation,
    aliased,
    is_mutation,
    is_repeatable,
    operation,
)
from plugin.shopify.schema import admin_schema, validate_document

REPO = Path(__file__).resolve().parents[2]

NEEDED = {
    "CustomerGet",
    "CustomersUpdatedSince",
    "DiscountCodeBasicCreate",
    "DiscountCodeByCode",
    "DiscountCodeDeactivate",
    "OrderGet",
    "OrdersUpdatedSince",
    "ProductGet",
    "RefundCreate",
    "ShopGet",
    "StoreCreditAccountCredit",
    "TagsAdd",
}


def test_every_operation_the_app_needs_has_a_document():
    assert set(ALL_OPERATIONS) >= NEEDED


@pytest.mark.parametrize("name", ALL_OPERATIONS)
def test_document_is_valid_against_the_admin_schema(name):
    assert validate_document(operation(name)) == []


@pytest.mark.parametrize("name", ALL_OPERATIONS)
def test_document_uses_no_deprecated_field_argument_or_enum_value(name):
    assert validate_document(operation(name), allow_deprecated=False) == []


@pytest.mark.parametrize("name", ALL_OPERATIONS)
def test_file_holds_one_operation_named_after_the_file(name):
    document = parse(operation(name))
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    assert len(operations) == 1
    assert operations[0].name is not None and operations[0].name.value == name


@pytest.mark.parametrize("name", ALL_OPERATIONS)
def test_requested_cost_with_default_variables_stays_under_the_single_query_limit(name):
    document = parse(operation(name))
    op = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {
        d.name.value: d for d in document.definitions if not isinstance(d, OperationDefinitionNode)
    }
    cost = requested_cost(admin_schema(), op, fragments, {})
    # Headroom: Shopify's own arithmetic may differ a little from the fake's.
    assert cost <= MAX_SINGLE_QUERY_COST * 0.95


def _record_fields(name: str) -> set[str]:
    """Field paths selected on the record the operation returns (arguments ignored).

    For a connection, the record is what `nodes` holds.
    """
    document = parse(operation(name))
    fragments = {
        d.name.value: d for d in document.definitions if not isinstance(d, OperationDefinitionNode)
    }
    op = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    record = op.selection_set.selections[0].selection_set
    nodes = [s for s in record.selections if isinstance(s, FieldNode) and s.name.value == "nodes"]
    if nodes:
        record = nodes[0].selection_set
    paths: set[str] = set()

    def walk(selection_set, prefix: str) -> None:
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                path = f"{prefix}{selection.name.value}"
                paths.add(path)
                walk(selection.selection_set, path + ".")
            elif isinstance(selection, InlineFragmentNode):
                walk(selection.selection_set, prefix)
            elif isinstance(selection, FragmentSpreadNode):
                walk(fragments[selection.name.value].selection_set, prefix)

    walk(record, "")
    return paths


@pytest.mark.parametrize(
    ("single", "paged"),
    [("OrderGet", "OrdersUpdatedSince"), ("CustomerGet", "CustomersUpdatedSince")],
)
def test_single_read_and_reconciliation_page_select_the_same_fields(single, paged):
    # Webhook handlers get either shape; a field read in one place only would be missing elsewhere.
    assert _record_fields(single) == _record_fields(paged)


def test_api_version_is_the_one_shopify_app_toml_subscribes_webhooks_with():
    config = tomllib.loads((REPO / "shopify.app.toml").read_text())
    assert config["webhooks"]["api_version"] == API_VERSION


def test_unknown_operation_is_refused():
    with pytest.raises(UnknownOperation):
        operation("DropAllTables")


@pytest.mark.parametrize(
    ("name", "mutation", "repeatable"),
    [
        ("ShopGet", False, True),
        ("OrdersUpdatedSince", False, True),
        ("DiscountCodeBasicCreate", True, True),
        ("RefundCreate", True, True),
        ("TagsAdd", True, True),
        ("StoreCreditAccountCredit", True, False),
    ],
)
def test_which_operations_may_be_repeated_after_an_ambiguous_failure(name, mutation, repeatable):
    assert is_mutation(name) is mutation
    assert is_repeatable(name) is repeatable


def test_every_fragment_file_is_spread_by_an_operation_and_sent_with_it():
    from plugin.shopify.operations import FRAGMENTS_DIR, fragments_spread

    files = {path.stem for path in FRAGMENTS_DIR.glob("*.graphql")}
    spread = {name for op in ALL_OPERATIONS for name in fragments_spread(operation(op))}
    assert files and files == spread
    for op in ("OrderGet", "OrdersUpdatedSince"):
        assert operation(op).count("fragment OrderForProgram on Order") == 1


def test_a_spread_of_a_missing_fragment_fails_loudly():
    from plugin.shopify.operations import UnknownFragment, fragments_spread

    assert fragments_spread("query Q { shop { ... on Shop { id } } }") == []
    with pytest.raises(UnknownFragment):
        fragments_spread("query Q { shop { ...NoSuchFragment } }")


@pytest.mark.parametrize("count", [2, MAX_ALIASED])
def test_aliased_flow_triggers_are_one_valid_affordable_document(count):
    # The Flow triggers of an outbox job go to Shopify up to MAX_ALIASED to a request.
    source = aliased("FlowTriggerReceive", count)
    assert validate_document(source, allow_deprecated=False) == []
    document = parse(source)
    (op,) = document.definitions
    assert isinstance(op, OperationDefinitionNode)
    assert op.name is not None and op.name.value == f"FlowTriggerReceive_{count}"
    assert [(f.alias.value, f.name.value) for f in op.selection_set.selections] == [
        (f"t{i}", "flowTriggerReceive") for i in range(count)
    ]
    variables = {
        f"{key}_{i}": {"k": i} if key == "payload" else "h"
        for i in range(count)
        for key in ("handle", "payload")
    }
    assert requested_cost(admin_schema(), op, {}, variables) == 10 * count
    assert 10 * MAX_ALIASED <= MAX_SINGLE_QUERY_COST * 0.95


def test_aliasing_is_bounded():
    with pytest.raises(ValueError):
        aliased("FlowTriggerReceive", MAX_ALIASED + 1)


@pytest.mark.parametrize("count", [2, MAX_ALIASED])
def test_aliased_metafield_writes_are_one_valid_affordable_document(count):
    # A job's customer-metafield writes go to Shopify up to MAX_ALIASED members to a request.
    source = aliased("MetafieldsSet", count)
    assert validate_document(source, allow_deprecated=False) == []
    (op,) = parse(source).definitions
    assert isinstance(op, OperationDefinitionNode)
    assert [(f.alias.value, f.name.value) for f in op.selection_set.selections] == [
        (f"t{i}", "metafieldsSet") for i in range(count)
    ]
    assert requested_cost(admin_schema(), op, {}, {}) == 10 * count
