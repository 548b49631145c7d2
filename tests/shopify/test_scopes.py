"""shopify.app.toml asks for exactly the access the app's GraphQL documents need.

Needs come from the schema's `offline_scopes`. Two needs it cannot express are allowed explicitly
below, each with its reason; anything else requested beyond the documents' needs fails here.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from plugin.shopify.fake import DEFAULT_SCOPES
from plugin.shopify.operations import ALL_OPERATIONS, operation
from plugin.shopify.schema import scope_requirements

REPO = Path(__file__).resolve().parents[2]

# Scopes the app needs that `offline_scopes` does not list.
ALLOWED_BEYOND_DOCUMENTS = {
    "write_customers": (
        "TagsAdd and MetafieldsSet on a Customer GID: neither lists a scope of its own because it "
        "depends on the resource; tagging customers and writing the app's customer metafields "
        "need write_customers"
    ),
    "write_orders": "RefundCreate: offline_scopes has no entry for refundCreate; Shopify requires write_orders",
}


def requested_scopes() -> set[str]:
    config = tomllib.loads((REPO / "shopify.app.toml").read_text())
    return {s.strip() for s in config["access_scopes"]["scopes"].split(",") if s.strip()}


def granted(scope: str, requested: set[str]) -> bool:
    # Shopify: any scope that writes a resource also grants reading it.
    return scope in requested or (
        scope.startswith("read_") and "write_" + scope.removeprefix("read_") in requested
    )


def all_needs():
    return [(name, need) for name in ALL_OPERATIONS for need in scope_requirements(operation(name))]


@pytest.mark.parametrize("name", ALL_OPERATIONS)
def test_every_scope_a_document_needs_is_requested(name):
    requested = requested_scopes()
    missing = [
        f"{need.where}: one of {need.any_of}"
        for need in scope_requirements(operation(name))
        if not any(granted(scope, requested) for scope in need.any_of)
    ]
    assert missing == []


def test_nothing_is_requested_that_no_document_needs():
    needed = {need.any_of[0] for _, need in all_needs()} | set(ALLOWED_BEYOND_DOCUMENTS)
    unneeded = {
        scope
        for scope in requested_scopes()
        if scope not in needed
        and not (scope.startswith("write_") and "read_" + scope.removeprefix("write_") in needed)
    }
    assert unneeded == set()


def test_no_read_scope_is_requested_alongside_its_write_scope():
    requested = requested_scopes()
    redundant = {
        s
        for s in requested
        if s.startswith("read_") and "write_" + s.removeprefix("read_") in requested
    }
    assert redundant == set()


def test_the_allowed_extras_are_still_needed_by_a_document():
    # An allow-list entry outliving its document would let an unneeded scope through.
    assert {"TagsAdd", "MetafieldsSet", "RefundCreate"} <= set(ALL_OPERATIONS)


def test_the_fake_grants_what_the_app_requests():
    assert set(DEFAULT_SCOPES.split(",")) == requested_scopes()
