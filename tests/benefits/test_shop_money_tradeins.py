"""Trade-in figures in shop money, net of VAT, and one serial once across all four stores (POLICY.md 5)."""

from __future__ import annotations

from tests import payloads
from tests.benefits.conftest import MINT, REGISTERED, ago
from tests.conftest import SHOP_DOMAINS


def quote(api, person, device_id, region=None):  # type: ignore[no-untyped-def]
    response = api("POST", "/trade-in/quote", person, region=region, json={"device_id": device_id, "condition": MINT})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_tax_included_kvm_at_tesmart_de_has_a_50_euro_recovery_value_for_a_2025_11_member(shopper, api, deliver, kvm):  # type: ignore[no-untyped-def]
    max_ = shopper("max@example.de", "eu", cohort="2025-11")
    line = payloads.line_item(kvm["eu"]["switch"]["id"], "119.00", currency="EUR", tax="19.00", tax_rate=0.19)
    order = payloads.order(lines=[line], customer_block=max_.customer, currency="EUR", country="DE",
                           created_at=ago(200), shipping="0.00", taxes_included=True)
    assert deliver("orders/paid", order, shop="eu").status_code == 200
    max_.orders.append(order)
    device = max_.device
    assert (str(device.amount_paid), device.currency) == ("100.00", "EUR")
    answer = quote(api, max_, device.id)
    assert (answer["cohort"], answer["percent"], answer["value"], answer["currency"]) == ("2025-11", "50", "50.00", "EUR")


def test_one_serial_takes_part_once_across_all_four_stores(shopper, api, buy):  # type: ignore[no-untyped-def]
    ann_us = shopper("ann@example.com", "us", cohort="2025-11")
    ann_eu = shopper("ann@example.com", "eu", customer=payloads.customer(email="ann@example.com"))
    assert ann_eu.member.activated_at == REGISTERED["2025-11"]
    first = quote(api, ann_us, ann_us.device.id)
    applied = api("POST", "/trade-ins", ann_us, json={"quote_id": first["quote_id"], "serial": "TES-SN-77"})
    assert applied.status_code == 201, applied.get_json()
    second = quote(api, ann_eu, ann_eu.device.id)
    refused = api("POST", "/trade-ins", ann_eu, json={"quote_id": second["quote_id"], "serial": "TES-SN-77"})
    assert refused.status_code == 422, refused.get_json()
    assert refused.get_json()["error"]["code"] == "trade_in_unavailable"
    assert SHOP_DOMAINS["eu"] != SHOP_DOMAINS["us"]
