"""What the benchmark sends: signed webhook deliveries and signed app-proxy requests.

Payloads come from the suite's Shopify-shaped factories (tests/payloads.py), signed the way Shopify
signs them (HMAC of the body for webhooks, of the sorted query for the app proxy).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any
from urllib.parse import urlencode

from benchmarks.loadgen import HttpRequest
from benchmarks.stack import API_SECRET
from tests import payloads

BASE_ORDER_ID = 5_000_000_000_000


def webhook_request(
    topic: str,
    payload: dict[str, Any],
    shop: str,
    *,
    secret: str = API_SECRET,
    webhook_id: str | None = None,
) -> HttpRequest:
    body = json.dumps(payload, separators=(",", ":")).encode()
    digest = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": digest,
        "X-Shopify-Shop-Domain": shop,
        "X-Shopify-API-Version": "2026-07",
        "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
        "X-Shopify-Event-Id": str(uuid.uuid4()),
        "X-Shopify-Triggered-At": "2026-11-22T10:00:00.000Z",
    }
    return HttpRequest("POST", f"/webhooks/{topic}", headers, body)


class PaidOrders:
    """``orders/paid`` deliveries: order ``i`` of customer ``i % customers``, one KVM line each."""

    def __init__(
        self,
        shop: str,
        product_id: int,
        *,
        customers: int = 500,
        run: int = 0,
        customer_base: int = 7_000_000,
    ) -> None:
        self.shop = shop
        self.product_id = product_id
        self.customers = customers
        self.customer_base = customer_base
        self.run = run
        self.template = payloads.order(
            order_id=1,
            lines=[payloads.line_item(product_id, "189.99")],
            customer_block=payloads.customer(1, "bench@example.com"),
        )

    def customer_id(self, index: int) -> int:
        return self.customer_base + index % self.customers

    def order_id(self, index: int) -> int:
        return BASE_ORDER_ID + self.run * 10_000_000 + index

    def payload(self, index: int) -> dict[str, Any]:
        order_id = self.order_id(index)
        customer_id = self.customer_id(index)
        body = dict(self.template)
        body["id"] = order_id
        body["admin_graphql_api_id"] = f"gid://shopify/Order/{order_id}"
        body["name"] = f"#B{order_id % 10_000_000}"
        email = f"member{customer_id}@bench.example"
        body["email"] = body["contact_email"] = email
        customer = dict(body["customer"])
        customer.update(
            id=customer_id,
            email=email,
            admin_graphql_api_id=f"gid://shopify/Customer/{customer_id}",
        )
        body["customer"] = customer
        line = dict(body["line_items"][0])
        line["id"] = order_id * 10 + 1
        body["line_items"] = [line]
        return body

    def request(self, index: int) -> HttpRequest:
        return webhook_request("orders/paid", self.payload(index), self.shop)


def proxy_request(
    method: str,
    path: str,
    shop: str,
    customer_id: int | None,
    *,
    body: dict[str, Any] | None = None,
    secret: str = API_SECRET,
) -> HttpRequest:
    params = {
        "shop": shop,
        "logged_in_customer_id": str(customer_id) if customer_id else "",
        "path_prefix": "/apps/tesmart",
        "timestamp": str(int(time.time())),
    }
    message = "".join(f"{k}={v}" for k, v in sorted(params.items()))
    params["signature"] = hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()
    headers = {"Accept": "application/json"}
    raw = b""
    if body is not None:
        raw = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    return HttpRequest(method, f"/proxy{path}?{urlencode(params)}", headers, raw)
