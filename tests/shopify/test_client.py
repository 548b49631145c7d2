"""The Admin GraphQL client against the fake: throttling, retries, and what it raises."""

from __future__ import annotations

import threading
from decimal import Decimal

import httpx
import pytest

import plugin.shopify.client as client_module
from plugin.shopify.client import (
    AdminApiError,
    AdminClient,
    AdminRejected,
    AdminThrottled,
    AdminUnauthorized,
    AdminUnavailable,
    CostBuckets,
    shop_name,
    user_errors,
)
from plugin.shopify.fake import FakeAdminApi, ManualClock

from .conftest import SHOP


def reward(customer: str, code: str = "TES-R-1001", **extra: object) -> dict[str, object]:
    return {
        "title": "TESmart reward",
        "code": code,
        "startsAt": "2026-07-15T00:00:00Z",
        "percentage": 0.3,
        "customerIds": [customer],
        **extra,
    }


def outcomes(fake: FakeAdminApi) -> list[str]:
    return [call.outcome for call in fake.calls]


# --- answers ------------------------------------------------------------------------------------


def test_execute_returns_data_and_remembers_the_cost(client: AdminClient):
    data = client.execute("ShopGet")
    assert data["shop"]["myshopifyDomain"] == SHOP
    assert client.last_cost is not None
    assert client.last_cost.maximum_available == 2000
    assert client.last_cost.restore_rate == 100


def test_a_taken_code_is_an_answer_not_an_error(client: AdminClient, customer: str):
    first = client.execute("DiscountCodeBasicCreate", reward(customer))
    assert user_errors(first, "discountCodeBasicCreate") == []
    node_id = first["discountCodeBasicCreate"]["codeDiscountNode"]["id"]
    assert node_id.startswith("gid://shopify/DiscountCodeNode/")

    again = client.execute("DiscountCodeBasicCreate", reward(customer))
    assert user_errors(again, "discountCodeBasicCreate") == [
        {
            "field": ["basicCodeDiscount", "code"],
            "code": "TAKEN",
            "message": "Code must be unique. Please try a different code.",
        }
    ]
    found = client.execute("DiscountCodeByCode", {"code": "TES-R-1001"})
    assert found["codeDiscountNodeByCode"]["id"] == node_id


def test_injected_user_error_is_returned_in_data(
    client: AdminClient, fake: FakeAdminApi, customer: str
):
    fake.inject("user_error", message="Something is off", operation="DiscountCodeBasicCreate")
    data = client.execute("DiscountCodeBasicCreate", reward(customer))
    assert user_errors(data, "discountCodeBasicCreate") == [
        {"field": None, "code": "INVALID", "message": "Something is off"}
    ]
    assert fake.discount_codes(SHOP) == []


def test_user_errors_of_an_absent_payload_are_empty():
    assert user_errors({"tagsAdd": None}, "tagsAdd") == []
    assert user_errors({}, "tagsAdd") == []


# --- permanent failures ---------------------------------------------------------------------------


def test_document_with_an_unknown_field_is_rejected_by_the_fake_and_raised(
    client: AdminClient, fake: FakeAdminApi, monkeypatch
):
    monkeypatch.setattr(
        client_module, "operation", lambda name: "query ShopGet { shop { name nonsense } }"
    )
    with pytest.raises(AdminRejected) as raised:
        client.execute("ShopGet")
    error = raised.value
    assert error.transient is False
    assert error.errors[0]["extensions"]["code"] == "undefinedField"
    assert "nonsense" in str(error)
    assert outcomes(fake) == ["invalid"]  # refused once, never retried


def test_invalid_variables_are_rejected(client: AdminClient):
    with pytest.raises(AdminRejected, match="percentage"):
        client.execute(
            "DiscountCodeBasicCreate",
            {
                "title": "x",
                "code": "X",
                "startsAt": "2026-07-15T00:00:00Z",
                "customerIds": ["gid://shopify/Customer/1"],
                "percentage": "lots",
            },
        )


def test_401_asks_the_caller_to_refresh_the_token(client: AdminClient, fake: FakeAdminApi):
    fake.inject("http_401")
    with pytest.raises(AdminUnauthorized) as raised:
        client.execute("ShopGet")
    assert raised.value.transient is False
    assert raised.value.status == 401


def test_an_unknown_token_is_unauthorized_when_the_fake_checks_tokens(
    make_client, fake: FakeAdminApi
):
    fake.require_valid_tokens = True
    fake.register_token(SHOP, "shpat_known")
    assert make_client(token="shpat_known").execute("ShopGet")
    with pytest.raises(AdminUnauthorized):
        make_client(token="shpat_unknown").execute("ShopGet")


# --- throttling -----------------------------------------------------------------------------------


def test_drained_bucket_makes_the_client_back_off_and_succeed(
    client: AdminClient, fake: FakeAdminApi, clock: ManualClock, customer: str
):
    fake.drain_bucket(SHOP)
    data = client.execute("CustomerGet", {"id": customer})
    assert data["customer"]["id"] == customer
    assert outcomes(fake) == ["throttled", "ok"]
    # Backed off by what was missing over the restore rate, not by a fixed guess.
    requested = fake.calls[0].requested_cost
    assert clock.slept == [pytest.approx(requested / 100)]


def test_client_waits_before_sending_when_its_estimate_says_the_bucket_is_empty(clock: ManualClock):
    fake = FakeAdminApi(clock=clock.monotonic, now=clock.utcnow, bucket_size=30, restore_rate=10)
    customer = fake.add_customer(SHOP, email="ada@example.com")
    with fake.http_client() as http:
        client = AdminClient(
            SHOP,
            "t",
            http_client=http,
            sleep=clock.sleep,
            clock=clock.monotonic,
            buckets=CostBuckets(),
        )
        for _ in range(5):
            client.execute("TagsAdd", {"id": customer, "tags": ["member"]})
    assert "throttled" not in outcomes(fake)
    assert clock.slept == [pytest.approx(1.0), pytest.approx(1.0)]  # 10 points at 10 a second


def test_clients_of_one_shop_share_the_bucket_estimate(
    make_client, fake: FakeAdminApi, clock: ManualClock, customer
):
    fake.drain_bucket(SHOP, to=5)
    make_client().execute("ShopGet")  # learns the bucket is nearly empty
    make_client().execute("TagsAdd", {"id": customer, "tags": ["member"]})  # another client waits
    assert "throttled" not in outcomes(fake)
    assert len(clock.slept) == 1


@pytest.mark.parametrize("times", [1, 3])
def test_throttled_answers_are_retried_until_success(
    client: AdminClient, fake: FakeAdminApi, times: int
):
    fake.inject("throttled", times=times)
    assert client.execute("ShopGet")["shop"]
    assert outcomes(fake) == ["throttled"] * times + ["ok"]


def test_429_waits_for_retry_after(client: AdminClient, fake: FakeAdminApi, clock: ManualClock):
    fake.inject("http_429", retry_after=3)
    assert client.execute("ShopGet")["shop"]
    assert clock.slept == [3.0]
    assert outcomes(fake) == ["http_429", "ok"]


def test_throttling_that_outlasts_the_retries_raises_throttled_with_retry_after(
    client: AdminClient, fake: FakeAdminApi
):
    fake.inject("throttled", times=50)
    with pytest.raises(AdminThrottled) as raised:
        client.execute("ShopGet")
    assert raised.value.transient is True
    assert raised.value.retry_after is not None and raised.value.retry_after > 0
    assert len(fake.calls) == client.max_retries + 1


def test_a_wait_longer_than_the_budget_is_not_slept(
    make_client, fake: FakeAdminApi, clock: ManualClock
):
    client = make_client(max_wait_seconds=1.0)
    fake.drain_bucket(SHOP)
    with pytest.raises(AdminThrottled) as raised:
        client.execute("OrdersUpdatedSince", {"query": ""})  # several hundred points: seconds away
    assert clock.slept == []
    assert raised.value.retry_after == pytest.approx(fake.calls[0].requested_cost / 100)


# --- unavailability -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["http_500", "http_503", "timeout"])
def test_server_errors_and_timeouts_are_retried_with_exponential_backoff(
    client: AdminClient, fake: FakeAdminApi, clock: ManualClock, kind: str
):
    fake.inject(kind, times=2)
    assert client.execute("ShopGet")["shop"]
    assert clock.slept == [0.5, 1.0]


def test_backoff_has_jitter(make_client, fake: FakeAdminApi, clock: ManualClock):
    fake.inject("http_503")
    make_client(jitter=lambda: 0.5).execute("ShopGet")
    assert clock.slept == [0.75]


def test_unavailability_that_outlasts_the_retries_raises_unavailable_with_retry_after(
    client: AdminClient, fake: FakeAdminApi
):
    fake.inject("http_503", times=50)
    with pytest.raises(AdminUnavailable) as raised:
        client.execute("ShopGet")
    assert raised.value.transient is True
    assert raised.value.retry_after and raised.value.retry_after > 0
    assert raised.value.status == 503


def test_store_credit_is_never_repeated_after_a_timeout(
    client: AdminClient, fake: FakeAdminApi, customer: str
):
    fake.inject("timeout", applied=True)  # Shopify did it; the answer was lost
    with pytest.raises(AdminUnavailable) as raised:
        client.execute(
            "StoreCreditAccountCredit", {"id": customer, "amount": "25.00", "currencyCode": "USD"}
        )
    assert raised.value.ambiguous is True
    assert raised.value.transient is False  # a blind retry elsewhere would pay twice
    assert fake.store_credit(SHOP, customer) == Decimal("25.00")  # credited once, not twice


def test_repeatable_mutation_is_retried_after_a_5xx(
    client: AdminClient, fake: FakeAdminApi, customer: str
):
    fake.inject("http_503", operation="tagsAdd")
    data = client.execute("TagsAdd", {"id": customer, "tags": ["tesmart-member"]})
    assert user_errors(data, "tagsAdd") == []
    assert "tesmart-member" in fake.customer(SHOP, customer)["tags"]


def test_every_admin_error_says_whether_to_try_again():
    assert issubclass(AdminThrottled, AdminApiError) and AdminThrottled.transient
    assert issubclass(AdminUnavailable, AdminApiError) and AdminUnavailable.transient
    assert not AdminRejected.transient and not AdminUnauthorized.transient


# --- operations against the fake ------------------------------------------------------------------


def test_store_credit_accumulates_per_customer_and_currency(
    client: AdminClient, fake: FakeAdminApi, customer: str
):
    fake.configure_shop(SHOP, enabled_currencies=["EUR"])
    for amount in ("10.00", "15.50"):
        data = client.execute(
            "StoreCreditAccountCredit", {"id": customer, "amount": amount, "currencyCode": "USD"}
        )
    transaction = data["storeCreditAccountCredit"]["storeCreditAccountTransaction"]
    assert transaction["amount"] == {"amount": "15.50", "currencyCode": "USD"}
    assert transaction["balanceAfterTransaction"] == {"amount": "25.50", "currencyCode": "USD"}
    client.execute(
        "StoreCreditAccountCredit", {"id": customer, "amount": "5", "currencyCode": "EUR"}
    )
    assert fake.store_credit(SHOP, customer) == Decimal("25.50")
    assert fake.store_credit(SHOP, customer, "EUR") == Decimal("5.00")


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        (
            {"id": "gid://shopify/Customer/999999", "amount": "5", "currencyCode": "USD"},
            "OWNER_NOT_FOUND",
        ),
        ({"amount": "0", "currencyCode": "USD"}, "NEGATIVE_OR_ZERO_AMOUNT"),
        ({"amount": "5", "currencyCode": "JPY"}, "UNSUPPORTED_CURRENCY"),
    ],
    ids=["unknown-customer", "zero", "currency-not-enabled"],
)
def test_store_credit_user_errors(client: AdminClient, customer: str, variables, code):
    data = client.execute("StoreCreditAccountCredit", {"id": customer, **variables})
    assert [e["code"] for e in user_errors(data, "storeCreditAccountCredit")] == [code]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"percentage": 1.5}, "VALUE_OUTSIDE_RANGE"),
        ({"usageLimit": 0}, "GREATER_THAN"),
        ({"customerIds": ["gid://shopify/Customer/999999"]}, "INVALID"),
        ({"code": "  "}, "BLANK"),
        (
            {"percentage": None, "discountAmount": {"amount": "10.00", "appliesOnEachItem": False}},
            None,
        ),
    ],
    ids=["percentage-over-1", "usage-limit-0", "unknown-customer", "blank-code", "amount-off"],
)
def test_discount_code_validation(client: AdminClient, customer: str, change, code):
    variables = {k: v for k, v in {**reward(customer), **change}.items() if v is not None}
    errors = user_errors(
        client.execute("DiscountCodeBasicCreate", variables), "discountCodeBasicCreate"
    )
    assert [e["code"] for e in errors] == ([code] if code else [])


def test_deactivated_code_is_expired(client: AdminClient, fake: FakeAdminApi, customer: str):
    created = client.execute("DiscountCodeBasicCreate", reward(customer))
    node_id = created["discountCodeBasicCreate"]["codeDiscountNode"]["id"]
    data = client.execute("DiscountCodeDeactivate", {"id": node_id})
    assert data["discountCodeDeactivate"]["codeDiscountNode"]["codeDiscount"]["status"] == "EXPIRED"
    assert fake.discount_codes(SHOP)[0]["status"] == "EXPIRED"


def _order(fake: FakeAdminApi, customer: str, **extra: object) -> str:
    product = fake.add_product(SHOP, title="HDMI KVM 4x1", product_type="KVM Switch", tags=["kvm"])
    return fake.add_order(
        SHOP,
        customer=customer,
        line_items=[{"product": product, "quantity": 2, "price": "150.00", "discount": "20.00"}],
        **extra,
    )


def test_refund_with_the_same_idempotency_key_is_made_once(
    client: AdminClient, fake: FakeAdminApi, customer: str
):
    order = _order(fake, customer)
    variables = {
        "orderId": order,
        "idempotencyKey": "trade-in-77-payout",
        "note": "Trade-in payout",
        "transactions": [
            {"orderId": order, "amount": "40.00", "gateway": "manual", "kind": "REFUND"}
        ],
    }
    first = client.execute("RefundCreate", variables)
    again = client.execute("RefundCreate", variables)
    assert first == again
    assert [r["amount"] for r in fake.refunds(SHOP, order)] == [Decimal("40.00")]
    assert fake.order(SHOP, order)["displayFinancialStatus"] == "PARTIALLY_REFUNDED"

    changed = {**variables, "transactions": [{**variables["transactions"][0], "amount": "41.00"}]}
    with pytest.raises(AdminRejected, match="idempotency key"):
        client.execute("RefundCreate", changed)


def test_refund_beyond_the_order_total_is_a_user_error(
    client: AdminClient, fake: FakeAdminApi, customer: str
):
    order = _order(fake, customer)
    data = client.execute(
        "RefundCreate",
        {
            "orderId": order,
            "idempotencyKey": "too-much",
            "transactions": [
                {"orderId": order, "amount": "500.00", "gateway": "manual", "kind": "REFUND"}
            ],
        },
    )
    assert user_errors(data, "refundCreate")
    assert fake.refunds(SHOP, order) == []


def test_order_carries_what_the_handlers_read(
    client: AdminClient, fake: FakeAdminApi, customer: str
):
    order = _order(
        fake,
        customer,
        shipping_address={
            "address1": "1 Main St",
            "zip": "10001",
            "city": "New York",
            "country_code": "US",
        },
        fulfillments=[
            {"created_at": "2026-07-10T00:00:00Z", "delivered_at": "2026-07-12T00:00:00Z"}
        ],
    )
    data = client.execute("OrderGet", {"id": order})["order"]
    line = data["lineItems"]["nodes"][0]
    assert line["product"]["productType"] == "KVM Switch"
    assert line["discountedUnitPriceAfterAllDiscountsSet"]["shopMoney"]["amount"] == "140.00"
    assert data["totalPriceSet"]["shopMoney"] == {"amount": "280.00", "currencyCode": "USD"}
    assert data["shippingAddress"]["countryCodeV2"] == "US"
    assert data["fulfillments"][0]["deliveredAt"] == "2026-07-12T00:00:00Z"
    assert data["customer"]["defaultEmailAddress"]["emailAddress"] == "ada@example.com"


def test_reconciliation_pages_through_orders_updated_since(
    client: AdminClient, fake: FakeAdminApi, customer: str
):
    for day in range(1, 8):
        _order(fake, customer, created_at=f"2026-07-{day:02d}T09:00:00Z")
    seen: list[str] = []
    after = None
    while True:
        page = client.execute(
            "OrdersUpdatedSince",
            {"query": "updated_at:>'2026-07-03T00:00:00Z'", "first": 2, "after": after},
        )["orders"]
        seen += [order["updatedAt"] for order in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [f"2026-07-{day:02d}T09:00:00Z" for day in range(3, 8)]


def test_customers_updated_since(client: AdminClient, fake: FakeAdminApi, clock: ManualClock):
    old = fake.add_customer(SHOP, email="old@example.com", updated_at="2026-06-01T00:00:00Z")
    new = fake.add_customer(SHOP, email="new@example.com", updated_at="2026-07-14T00:00:00Z")
    page = client.execute("CustomersUpdatedSince", {"query": "updated_at:>='2026-07-01'"})[
        "customers"
    ]
    assert [c["id"] for c in page["nodes"]] == [new]
    assert old != new


# --- concurrency and shops ------------------------------------------------------------------------


def test_concurrent_clients_do_not_lose_updates(make_client, fake: FakeAdminApi, customer: str):
    errors: list[BaseException] = []

    def credit() -> None:
        try:
            make_client().execute(
                "StoreCreditAccountCredit",
                {"id": customer, "amount": "1.00", "currencyCode": "USD"},
            )
        except Exception as exc:  # reported below, with the thread that raised it gone
            errors.append(exc)

    threads = [threading.Thread(target=credit) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert fake.store_credit(SHOP, customer) == Decimal("40.00")


def test_state_is_kept_per_shop(make_client, fake: FakeAdminApi):
    fake.configure_shop("tesmart-jp", currency_code="JPY", iana_timezone="Asia/Tokyo")
    assert (
        make_client("tesmart-jp.myshopify.com").execute("ShopGet")["shop"]["currencyCode"] == "JPY"
    )
    assert make_client().execute("ShopGet")["shop"]["currencyCode"] == "USD"


@pytest.mark.parametrize(
    ("given", "name"),
    [
        ("tesmart-us.myshopify.com", "tesmart-us"),
        ("tesmart-us", "tesmart-us"),
        ("https://TESmart-EU.myshopify.com/", "tesmart-eu"),
    ],
)
def test_shop_name(given, name):
    assert shop_name(given) == name


@pytest.mark.parametrize("given", ["", "evil.com/x", "a.b.myshopify.com", "shop?x=1"])
def test_shop_name_refuses_anything_else(given):
    with pytest.raises(ValueError):
        shop_name(given)


# --- answers the fake does not give: straight from a mock transport -------------------------------


def scripted(*responses: httpx.Response | type[httpx.HTTPError]) -> httpx.Client:
    """An httpx client answering with `responses` in turn (an exception class is raised)."""
    queue = list(responses)

    def answer(request: httpx.Request) -> httpx.Response:
        item = queue.pop(0)
        if isinstance(item, type):
            raise item("scripted", request=request)
        return item

    return httpx.Client(transport=httpx.MockTransport(answer))


OK = {"data": {"shop": {"name": "x"}}}


@pytest.mark.parametrize("status", [400, 402, 403, 404, 423])
def test_other_http_errors_are_rejected_permanently(status, clock: ManualClock):
    client = AdminClient(
        SHOP,
        "t",
        http_client=scripted(httpx.Response(status, json={"errors": "no"})),
        sleep=clock.sleep,
        clock=clock.monotonic,
        buckets=CostBuckets(),
    )
    with pytest.raises(AdminRejected) as raised:
        client.execute("ShopGet")
    assert raised.value.status == status
    assert clock.slept == []


def test_shopify_internal_error_in_a_200_is_retried(clock: ManualClock):
    internal = {
        "errors": [{"message": "Internal error", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]
    }
    http = scripted(httpx.Response(200, json=internal), httpx.Response(200, json=OK))
    client = AdminClient(
        SHOP,
        "t",
        http_client=http,
        sleep=clock.sleep,
        clock=clock.monotonic,
        buckets=CostBuckets(),
        jitter=lambda: 0.0,
    )
    assert client.execute("ShopGet") == OK["data"]
    assert clock.slept == [0.5]


def test_429_without_retry_after_waits_a_second(clock: ManualClock):
    http = scripted(httpx.Response(429), httpx.Response(200, json=OK))
    client = AdminClient(
        SHOP, "t", http_client=http, sleep=clock.sleep, clock=clock.monotonic, buckets=CostBuckets()
    )
    assert client.execute("ShopGet") == OK["data"]
    assert clock.slept == [1.0]


def test_a_request_that_never_left_is_retried_even_for_store_credit(clock: ManualClock):
    credited = {
        "data": {
            "storeCreditAccountCredit": {"storeCreditAccountTransaction": None, "userErrors": []}
        }
    }
    http = scripted(httpx.ConnectError, httpx.Response(200, json=credited))
    client = AdminClient(
        SHOP,
        "t",
        http_client=http,
        sleep=clock.sleep,
        clock=clock.monotonic,
        buckets=CostBuckets(),
        jitter=lambda: 0.0,
    )
    variables = {"id": "gid://shopify/Customer/1", "amount": "1", "currencyCode": "USD"}
    assert client.execute("StoreCreditAccountCredit", variables) == credited["data"]


@pytest.mark.parametrize("failure", [httpx.ReadTimeout, httpx.RemoteProtocolError])
def test_a_request_that_may_have_arrived_is_not_repeated_for_store_credit(
    failure, clock: ManualClock
):
    client = AdminClient(
        SHOP,
        "t",
        http_client=scripted(failure),
        sleep=clock.sleep,
        clock=clock.monotonic,
        buckets=CostBuckets(),
    )
    variables = {"id": "gid://shopify/Customer/1", "amount": "1", "currencyCode": "USD"}
    with pytest.raises(AdminUnavailable) as raised:
        client.execute("StoreCreditAccountCredit", variables)
    assert raised.value.ambiguous and failure.__name__ in str(raised.value)
