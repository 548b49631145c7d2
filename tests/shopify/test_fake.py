"""The fake Admin API at the HTTP level: it answers in Shopify's shapes, and refuses like
Shopify."""

from __future__ import annotations

import httpx
import pytest

from plugin.shopify import API_VERSION
from plugin.shopify.fake import FakeAdminApi, ManualClock
from plugin.shopify.operations import operation

from .conftest import SHOP

URL = f"https://{SHOP}/admin/api/{API_VERSION}/graphql.json"


def post(
    http: httpx.Client, query: str, variables: dict | None = None, token: str = "shpat_test"
) -> httpx.Response:
    return http.post(
        URL,
        json={"query": query, "variables": variables or {}},
        headers={"X-Shopify-Access-Token": token},
    )


def test_unknown_field_gets_shopifys_validation_error_with_http_200(http):
    response = post(http, "query { shop { name nonsense } }")
    assert response.status_code == 200
    body = response.json()
    assert "data" not in body
    [error] = body["errors"]
    assert error["message"] == "Field 'nonsense' doesn't exist on type 'Shop'"
    assert error["extensions"]["code"] == "undefinedField"
    assert error["locations"] == [{"line": 1, "column": 21}]


def test_unknown_argument_is_refused(http):
    body = post(http, "query { shop(id: 1) { name } }").json()
    assert body["errors"][0]["extensions"]["code"] == "argumentNotAccepted"


def test_syntax_error_is_refused(http):
    body = post(http, "query { shop {").json()
    assert body["errors"] and "data" not in body


def test_missing_token_is_401(http):
    response = post(http, "query { shop { name } }", token="")
    assert response.status_code == 401
    assert "Invalid API key or access token" in response.json()["errors"]


def test_answers_carry_cost_and_throttle_status(http):
    body = post(http, operation("ShopGet")).json()
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] >= 1
    assert cost["throttleStatus"] == {
        "maximumAvailable": 2000.0,
        "currentlyAvailable": 2000 - cost["actualQueryCost"],
        "restoreRate": 100.0,
    }


def test_empty_bucket_answers_throttled_and_refills_with_time(
    http, fake: FakeAdminApi, clock: ManualClock
):
    fake.drain_bucket(SHOP)
    body = post(http, operation("ShopGet")).json()
    assert body["errors"] == [
        {
            "message": "Throttled",
            "extensions": {
                "code": "THROTTLED",
                "documentation": "https://shopify.dev/api/usage/rate-limits",
            },
        }
    ]
    assert body["extensions"]["cost"]["actualQueryCost"] is None
    assert body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 0
    clock.advance(1.0)
    assert fake.bucket_status(SHOP)["currentlyAvailable"] == 100
    assert "data" in post(http, operation("ShopGet")).json()


def test_a_query_over_the_single_query_limit_is_refused(http):
    query = "query { orders(first: 250) { nodes { lineItems(first: 250) { nodes { id } } } } }"
    [error] = post(http, query).json()["errors"]
    assert error["extensions"]["code"] == "MAX_COST_EXCEEDED"


def test_page_size_over_250_is_refused(http):
    body = post(http, "query { customers(first: 251) { nodes { id } } }").json()
    assert "first cannot exceed 250" in body["errors"][0]["message"]


def test_valid_field_the_fake_does_not_implement_says_so(http):
    body = post(http, "query { locations(first: 1) { nodes { id } } }").json()
    assert "does not implement QueryRoot.locations" in body["errors"][0]["message"]


def test_refund_without_idempotency_key_is_refused(http, fake: FakeAdminApi):
    customer = fake.add_customer(SHOP, email="ada@example.com")
    order = fake.add_order(SHOP, customer=customer, line_items=[{"price": "10.00"}])
    query = """
        mutation Refund($orderId: ID!, $transactions: [OrderTransactionInput!]) {
          refundCreate(input: {orderId: $orderId, transactions: $transactions}) {
            refund { id }
            userErrors { message }
          }
        }
    """
    transactions = [{"orderId": order, "amount": "1.00", "gateway": "manual", "kind": "REFUND"}]
    body = post(http, query, {"orderId": order, "transactions": transactions}).json()
    assert "@idempotent" in body["errors"][0]["message"]
    assert fake.refunds(SHOP, order) == []


def test_invalid_global_id_is_an_error(http):
    body = post(http, 'query { customer(id: "42") { id } }').json()
    assert body["errors"][0]["message"] == "Invalid global id '42'"


def test_tags_add_splits_comma_lists_and_ignores_duplicates(http, fake: FakeAdminApi):
    customer = fake.add_customer(SHOP, email="ada@example.com", tags=["VIP"])
    post(
        http, operation("TagsAdd"), {"id": customer, "tags": ["vip, tesmart-member", "cohort-2026"]}
    )
    assert fake.customer(SHOP, customer)["tags"] == ["VIP", "tesmart-member", "cohort-2026"]


def test_tags_add_on_an_unknown_resource_is_a_user_error(http):
    body = post(
        http, operation("TagsAdd"), {"id": "gid://shopify/Customer/999999", "tags": ["x"]}
    ).json()
    assert body["data"]["tagsAdd"]["userErrors"][0]["field"] == ["id"]


def test_unknown_fault_kind_is_refused(fake: FakeAdminApi):
    with pytest.raises(ValueError):
        fake.inject("meteor")


def test_faults_can_target_one_operation(http, fake: FakeAdminApi):
    fake.inject("http_503", operation="ProductGet")
    assert post(http, operation("ShopGet")).status_code == 200
    assert post(http, operation("ProductGet"), {"id": "gid://shopify/Product/1"}).status_code == 503
    assert fake.pending_faults() == []


def test_latency_is_added_per_request(fake: FakeAdminApi, clock: ManualClock, http):
    fake.set_latency(100)
    post(http, operation("ShopGet"))
    assert clock.slept == [0.1]


def test_the_calls_log_names_operations(http, fake: FakeAdminApi):
    post(http, operation("ShopGet"))
    post(http, "query { shop { nope } }")
    assert [(c.operation_name, c.root_fields, c.outcome) for c in fake.calls] == [
        ("ShopGet", ("shop",), "ok"),
        (None, ("shop",), "invalid"),
    ]


def test_shop_comes_from_the_forwarded_host(http, fake: FakeAdminApi):
    fake.configure_shop("tesmart-eu", currency_code="EUR")
    response = http.post(
        "http://127.0.0.1/admin/api/2026-07/graphql.json",
        json={"query": operation("ShopGet")},
        headers={"X-Shopify-Access-Token": "t", "X-Forwarded-Host": "tesmart-eu.myshopify.com"},
    )
    assert response.json()["data"]["shop"]["currencyCode"] == "EUR"


def test_a_host_that_is_no_shop_is_not_found(http):
    response = http.post(
        "http://127.0.0.1/admin/api/2026-07/graphql.json",
        json={"query": "{ shop { name } }"},
        headers={"X-Shopify-Access-Token": "t"},
    )
    assert response.status_code == 404


def test_reset_forgets_everything(fake: FakeAdminApi, http):
    fake.add_customer(SHOP, email="ada@example.com")
    fake.inject("http_500")
    post(http, operation("ShopGet"))
    fake.reset()
    assert fake.calls == [] and fake.pending_faults() == []


def test_a_restored_fake_starts_from_a_copy_of_the_snapshot_with_a_full_bucket(
    fake: FakeAdminApi, clock: ManualClock
):
    ada = fake.add_customer(SHOP, email="ada@example.com")
    fake.drain_bucket(SHOP)
    state = fake.snapshot()
    later = fake.add_customer(SHOP, email="later@example.com")  # not in the snapshot

    first = FakeAdminApi(clock=clock.monotonic, now=clock.utcnow, sleep=clock.sleep)
    first.restore(state)
    assert first.customer(SHOP, ada)["email"] == "ada@example.com"
    with pytest.raises(KeyError):
        first.customer(SHOP, later)
    assert first.bucket_status(SHOP)["currentlyAvailable"] == 2000  # full, on its own clock
    ben = first.add_customer(SHOP, email="ben@example.com")
    first.update_customer(SHOP, ada, email="ada.first@example.com")

    second = FakeAdminApi(clock=clock.monotonic, now=clock.utcnow, sleep=clock.sleep)
    second.restore(state)  # the first one's writes are its own
    with pytest.raises(KeyError):
        second.customer(SHOP, ben)
    assert second.customer(SHOP, ada)["email"] == "ada@example.com"
    carl = second.add_customer(SHOP, email="carl@example.com")
    assert len({ada, later, ben, carl}) == 4  # no id handed out twice
