"""End to end: products, customers and orders arrive as webhooks, old-program members come in
through ``flask members import``, and each cohort reads its devices and trade-in quotes through
the signed storefront API, in the US (USD), EU (EUR) and JP (JPY) stores (POLICY.md 2, 4, 5)."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

import pytest

from plugin import clock
from plugin.models.types import utcnow
from plugin.program.calendar import add_months
from tests import payloads
from tests.benefits.conftest import COUNTRY, CURRENCY, PRICE, WORN_NO_BOX, Shopper
from tests.conftest import SHOP_DOMAINS

EMAILS = {
    "legacy": "lena.legacy@example.com",
    "2025-04": "april@example.com",
    "2025-11": "nova@example.com",
}
IMPORTED = {"legacy": "2024-06-01", "2025-04": "2025-06-15"}  # the old program's registration days
BOUGHT_DAYS_AGO = 200
STANDARD_MONTHS = {"us": 12, "eu": 24, "jp": 12}

# What each cohort is quoted for a worn KVM switch without its box, per store.
QUOTES = {
    ("legacy", "us"): ("discount_on_new", "40", None),
    ("legacy", "eu"): ("discount_on_new", "40", None),
    ("legacy", "jp"): ("discount_on_new", "40", None),
    ("2025-04", "us"): ("discount_on_new", "30", None),
    ("2025-04", "eu"): ("discount_on_new", "30", None),
    ("2025-04", "jp"): ("discount_on_new", "30", None),
    ("2025-11", "us"): ("recovery_value", "50", "45.15"),  # 129.00 → 64.50 → −30% → 45.15
    ("2025-11", "eu"): ("recovery_value", "50", "41.65"),  # 119.00 → 59.50 → 41.65
    ("2025-11", "jp"): ("recovery_value", "50", "5880"),  # ¥16,800 → ¥8,400 → ¥5,880
}
# The reason is a sentence in the store's language.
LANGUAGE_MARKERS = {
    "us": ("off", "recovery value"),
    "eu": ("Rabatt", "Rücknahmewert"),
    "jp": ("オフ", "査定額"),
}


@pytest.fixture()
def world(shops, kvm, deliver, runner, proxy, tmp_path: Path) -> dict[tuple[str, str], Shopper]:  # type: ignore[no-untyped-def]
    """Every cohort as a customer of every store, with one KVM switch bought 200 days ago."""
    people: dict[tuple[str, str], Shopper] = {}
    for cohort, email in EMAILS.items():
        for region in CURRENCY:
            customer = payloads.customer(email=email)
            assert deliver("customers/create", customer, shop=region).status_code == 200
            people[(cohort, region)] = Shopper(region, email, customer, [])

    path = tmp_path / "old-program.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["email", "registered_at", "shop", "points"])
        for cohort, registered in IMPORTED.items():
            writer.writerow([EMAILS[cohort], registered, SHOP_DOMAINS["us"], "1500"])
    result = runner.invoke(args=["members", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "imported 2 of 2 rows" in result.output

    for (_, region), person in people.items():
        currency = CURRENCY[region]
        product_id = kvm[region]["switch"]["id"]
        order = payloads.order(
            lines=[payloads.line_item(product_id, PRICE[currency], currency=currency)],
            customer_block=person.customer,
            currency=currency,
            country=COUNTRY[region],
            created_at=(utcnow() - timedelta(days=BOUGHT_DAYS_AGO)).isoformat(),
            shipping="1000" if currency == "JPY" else "10.00",
        )
        assert deliver("orders/paid", order, shop=region).status_code == 200
        person.orders.append(order)

    # The 2025-11 member was never in the old program: seen logged in, the ID is activated today.
    member = proxy(
        "GET", "/member", shop="us", customer=people[("2025-11", "us")].customer_id
    ).get_json()
    assert member["tesmart_id"] | {"registered_at": None, "activated_at": None} == {
        "status": "active",
        "cohort": "2025-11",
        "registered_at": None,
        "activated_at": None,
    }
    return people


@pytest.mark.parametrize("region", ["us", "eu", "jp"])
@pytest.mark.parametrize("cohort", ["legacy", "2025-04", "2025-11"])
def test_each_cohort_reads_its_devices_and_quotes_in_each_store(world, api, cohort, region):  # type: ignore[no-untyped-def]
    person = world[(cohort, region)]
    currency = CURRENCY[region]
    bought = clock.local_day(utcnow() - timedelta(days=BOUGHT_DAYS_AGO), clock.zone(None, region))

    [device] = api("GET", "/devices", person).get_json()["devices"]
    assert (device["category"], device["currency"], device["amount_paid"]) == (
        "kvm_switch",
        currency,
        PRICE[currency],
    )
    assert device["delivery_country"] == COUNTRY[region]
    assert device["purchased_at"] == bought.isoformat()
    assert (
        device["standard_warranty_end"] == add_months(bought, STANDARD_MONTHS[region]).isoformat()
    )
    assert device["extended_warranty_end"] == add_months(bought, 36).isoformat()
    kind, percent, value = QUOTES[(cohort, region)]
    assert (device["trade_in"]["eligible"], device["trade_in"]["kind"]) == (True, kind)

    response = api(
        "POST",
        "/trade-in/quote",
        person,
        json={"device_id": device["id"], "condition": WORN_NO_BOX},
    )
    assert response.status_code == 200
    quote = response.get_json()
    assert (quote["cohort"], quote["eligible"], quote["kind"]) == (cohort, True, kind)
    assert (quote["percent"], quote["value"], quote["currency"]) == (percent, value, currency)
    assert isinstance(quote["quote_id"], int)
    marker = LANGUAGE_MARKERS[region][1 if kind == "recovery_value" else 0]
    assert marker in quote["reason"]
