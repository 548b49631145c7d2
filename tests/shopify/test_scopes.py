"""shopify.app.toml asks for exactly the access the app's GraphQL documents need.

Needs come from the schema's `offline_scopes`, where each entry is a list of alternatives: any one
of them grants the access (`read_orders` or `read_marketplace_orders`). Needs it cannot express are
allowed explicitly below, each with its reason; anything else requested beyond the documents'
needs fails here.
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
        "MetafieldsSet on a Customer GID: metafieldsSet lists no scope of its own because it "
        "depends on the owner; writing the app's customer metafields needs write_customers, which "
        "also grants read_customers (CustomerGet, CustomersUpdatedSince)"
    ),
    "write_orders": (
        "RefundCreate: offline_scopes has no entry for refundCreate; Shopify requires "
        "write_orders. TagsAdd on an Order GID: tagsAdd depends on the tagged resource (only "
        "orders are tagged)"
    ),
    "read_all_orders": (
        "orders older than 60 days (trade-in partial refunds, return checks, reconciliation after "
        "an outage): no field lists it, Shopify hides older orders without it"
    ),
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


def unneeded(requested: set[str]) -> set[str]:
    """Requested scopes no document needs: a scope is needed when, without it, some need has no
    alternative left among the other requested scopes."""
    needs = [need for _, need in all_needs()]
    return {
        scope
        for scope in requested - set(ALLOWED_BEYOND_DOCUMENTS)
        if all(any(granted(s, requested - {scope}) for s in need.any_of) for need in needs)
    }


def test_nothing_is_requested_that_no_document_needs():
    assert unneeded(requested_scopes()) == set()


def test_offline_scopes_lists_are_alternatives():
    # Any one alternative grants access: asking for the marketplace variant instead of read_orders
    # satisfies the same needs, and asking for both would be one too many.
    requested = requested_scopes()
    order_needs = [need for _, need in all_needs() if "read_marketplace_orders" in need.any_of]
    assert order_needs
    alternative = (requested - {"write_orders"}) | {"read_marketplace_orders"}
    assert all(any(granted(s, alternative) for s in need.any_of) for need in order_needs)
    assert unneeded(requested | {"read_marketplace_orders"}) == {"read_marketplace_orders"}
    # write_customers (the metafields) grants reading customers: read_customers would be one too
    # many.
    assert unneeded(requested | {"read_customers"}) == {"read_customers"}


def test_customers_are_written_only_for_the_apps_metafields():
    # tagsAdd is only called on orders; the one write on customers is the app's own metafields.
    assert "write_customers" in requested_scopes()
    assert "read_customers" not in requested_scopes()


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
    assert {"TagsAdd", "MetafieldsSet", "RefundCreate", "OrderGet"} <= set(ALL_OPERATIONS)


def test_the_fake_grants_what_the_app_requests():
    assert set(DEFAULT_SCOPES.split(",")) == requested_scopes()
