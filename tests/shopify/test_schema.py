"""Loading Shopify's schema, validating documents, and reading access scopes from it."""

from __future__ import annotations

import pytest

from plugin.shopify import API_VERSION
from plugin.shopify.schema import (
    SCHEMA_PATH_ENV,
    SchemaUnavailable,
    _requirement_groups,
    admin_schema,
    load,
    required_scopes,
    schema_path,
    scope_requirements,
    validate_document,
)


def test_schema_is_the_pinned_admin_version_and_built_once():
    assert schema_path().name == f"admin_{API_VERSION}.json.gz"
    assert admin_schema() is admin_schema()
    assert admin_schema().mutation_type is not None
    assert load().load_seconds < 10


def test_unknown_field_is_reported_with_its_line():
    errors = validate_document("query ShopName {\n  shop {\n    nonsense\n  }\n}")
    assert len(errors) == 1
    assert "nonsense" in errors[0] and "line 3" in errors[0]


def test_syntax_error_is_reported_not_raised():
    assert validate_document("query {") != []


def test_deprecated_field_passes_unless_deprecations_are_refused():
    document = 'query C { customer(id: "gid://shopify/Customer/1") { email } }'
    assert validate_document(document) == []
    assert any("deprecated" in e for e in validate_document(document, allow_deprecated=False))


def test_schema_path_can_be_overridden_and_a_missing_file_says_what_to_do(monkeypatch, tmp_path):
    missing = tmp_path / "nowhere.json.gz"
    monkeypatch.setenv(SCHEMA_PATH_ENV, str(missing))
    assert schema_path() == missing
    with pytest.raises(SchemaUnavailable, match="npm ci"):
        load()


@pytest.mark.parametrize(
    ("prose", "listed", "groups"),
    [
        ("`read_customers` access scope.", ["read_customers"], (("read_customers",),)),
        (
            "`read_orders` access scope, `read_marketplace_orders` access scope or "
            "`read_quick_sale` access scope.",
            ["read_orders", "read_marketplace_orders", "read_quick_sale"],
            (("read_orders", "read_marketplace_orders", "read_quick_sale"),),
        ),
        (
            "`write_draft_orders` access scope. Also: Requires `write_orders` access scope.",
            ["write_draft_orders", "write_orders"],
            (("write_draft_orders",), ("write_orders",)),
        ),
        (
            "`read_returns` access scope and (`read_orders` access scope or "
            "`read_marketplace_orders` access scope).",
            ["read_returns", "read_orders", "read_marketplace_orders"],
            (("read_returns",), ("read_orders", "read_marketplace_orders")),
        ),
        (
            "`write_customers` access scope. "
            "Also: User needs create_and_edit_customers permission.",
            ["write_customers"],
            (("write_customers",),),
        ),
        ("", ["read_products", "read_publications"], (("read_products", "read_publications"),)),
    ],
    ids=["one", "any-of", "also-requires", "and-any-of", "also-permission-only", "no-prose"],
)
def test_required_access_prose_is_read_as_groups_of_alternatives(prose, listed, groups):
    assert _requirement_groups(prose, listed) == groups


@pytest.mark.parametrize(
    ("document", "scopes"),
    [
        ('query { customer(id: "gid://shopify/Customer/1") { id } }', {"read_customers"}),
        ('query { order(id: "gid://shopify/Order/1") { id } }', {"read_orders"}),
        ("query { shop { name } }", set()),
        (
            'mutation { storeCreditAccountCredit(id: "gid://shopify/Customer/1", creditInput: '
            '{creditAmount: {amount: "1", currencyCode: USD}}) { userErrors { message } } }',
            {"write_store_credit_account_transactions"},
        ),
    ],
    ids=["customer", "order", "shop", "store-credit"],
)
def test_required_scopes_of_a_document(document, scopes):
    assert required_scopes(document) == scopes


def test_scope_requirements_name_the_schema_element_that_needs_them():
    needs = scope_requirements(
        'query { order(id: "gid://shopify/Order/1") { lineItems(first: 1) { nodes { id } } } }'
    )
    where = {need.where for need in needs}
    assert {"Order", "LineItem"} <= where
