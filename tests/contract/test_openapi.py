"""openapi.yaml is a valid OpenAPI 3.1 document, complete, closed, and its examples are true."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, jsonify, redirect
from openapi_spec_validator import validate

from .openapi_check import (
    ContractViolation,
    _pointer,
    assert_matches_openapi,
    assert_response_matches_openapi,
    load_spec,
    path_template_for,
    schema_errors,
)

# The agreed contract: every route the widgets, extensions, integrations and operators rely on.
CONTRACT_ROUTES = [
    ("get", "/proxy/member"),
    ("get", "/proxy/rewards"),
    ("post", "/proxy/redemptions"),
    ("get", "/proxy/redemptions"),
    ("get", "/proxy/redemptions/{id}"),
    ("get", "/proxy/referral"),
    ("get", "/proxy/r/{code}"),
    ("get", "/proxy/devices"),
    ("post", "/proxy/devices/{id}/serial"),
    ("post", "/proxy/trade-in/quote"),
    ("post", "/proxy/trade-ins"),
    ("get", "/proxy/trade-ins"),
    ("post", "/proxy/trade-ins/{id}/tracking"),
    ("post", "/proxy/warranty-claims"),
    ("post", "/proxy/returns/check"),
    ("post", "/proxy/returns"),
    ("post", "/proxy/activities"),
    ("get", "/proxy/ctrl-f"),
    ("post", "/proxy/ctrl-f/{id}/applications"),
    ("post", "/integrations/reviews"),
    ("post", "/extension-api/checkout"),
    ("get", "/extension-api/orders/{order_id}/devices"),
    ("get", "/extension-api/devices"),
    ("post", "/webhooks/{topic}"),
    ("get", "/healthz"),
]
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
PROXY_PARAMETERS = {
    "#/components/parameters/ProxyShop",
    "#/components/parameters/ProxyLoggedInCustomerId",
    "#/components/parameters/ProxyPathPrefix",
    "#/components/parameters/ProxyTimestamp",
    "#/components/parameters/ProxySignature",
}


def operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in load_spec()["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield method, path, operation


def deref(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = load_spec()
        for part in node["$ref"][2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


# --- the document ---------------------------------------------------------------------------


def test_spec_is_valid_openapi_3_1() -> None:
    spec = load_spec()
    assert spec["openapi"].startswith("3.1")
    validate(spec)


@pytest.mark.parametrize(("method", "path"), CONTRACT_ROUTES)
def test_every_contract_route_is_documented(method: str, path: str) -> None:
    assert method in load_spec()["paths"].get(path, {}), f"{method.upper()} {path} missing"


def test_operation_ids_are_unique() -> None:
    ids = [op["operationId"] for _, _, op in operations()]
    assert len(ids) == len(set(ids))


def test_every_proxy_route_takes_the_app_proxy_parameters_and_signature() -> None:
    for method, path, operation in operations():
        if not path.startswith("/proxy/"):
            continue
        item = load_spec()["paths"][path]
        refs = {p.get("$ref") for p in item.get("parameters", []) + operation.get("parameters", [])}
        assert refs >= PROXY_PARAMETERS, f"{method.upper()} {path} lacks app proxy parameters"
        assert operation["security"] == [{"appProxySignature": []}], path


def test_every_error_response_is_the_error_envelope() -> None:
    for method, path, operation in operations():
        for status, response in operation["responses"].items():
            if not status.startswith("4"):
                continue
            schema = deref(response)["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}, f"{method} {path} {status}"


def _closed_objects(schema: dict[str, Any], where: str, seen: set[str]) -> Iterator[str]:
    """Yield the places where a response object schema is left open."""
    if "$ref" in schema:
        if schema["$ref"] in seen:
            return
        seen.add(schema["$ref"])
        yield from _closed_objects(deref(schema), schema["$ref"], seen)
        return
    types = schema.get("type")
    is_object = types == "object" or (isinstance(types, list) and "object" in types)
    if is_object and schema.get("properties") and schema.get("additionalProperties") is not False:
        yield where
    for key in ("anyOf", "oneOf", "allOf"):
        for index, sub in enumerate(schema.get(key, [])):
            yield from _closed_objects(sub, f"{where}/{key}/{index}", seen)
    for name, sub in schema.get("properties", {}).items():
        yield from _closed_objects(sub, f"{where}/{name}", seen)
    if isinstance(schema.get("items"), dict):
        yield from _closed_objects(schema["items"], f"{where}/items", seen)


def test_response_objects_are_closed_so_drift_is_caught() -> None:
    open_objects: list[str] = []
    for method, path, operation in operations():
        for status, response in operation["responses"].items():
            for media in deref(response).get("content", {}).values():
                open_objects += list(
                    _closed_objects(media["schema"], f"{method} {path} {status}", set())
                )
    assert open_objects == []


def _examples() -> Iterator[tuple[str, str, Any]]:
    """(description, schema pointer, example value) for every example of a body."""
    for method, path, operation in operations():
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if body:
            pointer = _pointer(
                "paths", path, method, "requestBody", "content", "application/json", "schema"
            )
            for name, example in body.get("examples", {}).items():
                yield f"{method} {path} request {name}", pointer, deref(example)["value"]
        for status, response in operation["responses"].items():
            resolved = deref(response)
            media = resolved.get("content", {}).get("application/json")
            if not media:
                continue
            if "$ref" in response:
                parts = response["$ref"][2:].split("/")
            else:
                parts = ["paths", path, method, "responses", status]
            pointer = _pointer(*parts, "content", "application/json", "schema")
            if "example" in media:
                yield f"{method} {path} {status}", pointer, media["example"]
            for name, example in media.get("examples", {}).items():
                yield f"{method} {path} {status} {name}", pointer, deref(example)["value"]


EXAMPLES = list(_examples())


@pytest.mark.parametrize(("where", "pointer", "value"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_every_example_matches_its_schema(where: str, pointer: str, value: Any) -> None:
    assert schema_errors(pointer, value) == []


def _currencies(value: Any) -> set[str]:
    if isinstance(value, dict):
        found = {value["currency"]} if isinstance(value.get("currency"), str) else set()
        for sub in value.values():
            found |= _currencies(sub)
        return found
    if isinstance(value, list):
        return set().union(*(_currencies(v) for v in value)) if value else set()
    return set()


@pytest.mark.parametrize(
    "path",
    [
        "/proxy/member",
        "/proxy/rewards",
        "/proxy/redemptions/{id}",
        "/proxy/referral",
        "/proxy/devices",
        "/proxy/trade-in/quote",
    ],
)
def test_money_bearing_responses_have_usd_and_jpy_examples(path: str) -> None:
    item = load_spec()["paths"][path]
    operation = item.get("get") or item.get("post")
    examples = operation["responses"]["200"]["content"]["application/json"]["examples"]
    seen: set[str] = set()
    for example in examples.values():
        value = deref(example)["value"]
        seen |= _currencies(value)
        if path == "/proxy/member":
            seen.add(value["shop"]["currency"])
    assert {"USD", "JPY"} <= seen


@pytest.mark.parametrize(
    ("schema", "field", "values"),
    [
        ("TesmartIdStatus", None, ["none", "pending", "active"]),
        ("Cohort", None, ["legacy", "2025-04", "2025-11"]),
        ("TradeInKind", None, ["recovery_value", "discount_on_new", "recycle_only", "none"]),
        ("ReturnOutcome", None, ["refund", "repair", "replacement", "exchange", "none"]),
        ("DeviceCategory", None, ["kvm_switch", "kvm_extender", "matrix", "accessory", "other"]),
        ("Redemption", "status", ["pending", "issued", "failed", "disabled"]),
        (
            "WarrantyClaim",
            "state",
            ["open", "approved", "shipped", "closed", "refused", "withdrawn"],
        ),
        ("Health", "queue", ["in-process", "ok", "error"]),
    ],
)
def test_enums_are_the_agreed_ones(schema: str, field: str | None, values: list[str]) -> None:
    node = load_spec()["components"]["schemas"][schema]
    if field:
        node = deref(node["properties"][field])
    assert node["enum"] == values


# --- the helper -----------------------------------------------------------------------------

GOOD_REWARDS = {
    "currency": "JPY",
    "balance": 600,
    "can_redeem": True,
    "rewards": [
        {
            "id": 11,
            "title": "¥800 OFF",
            "points": 500,
            "kind": "fixed_amount",
            "amount": "800",
            "percentage": None,
            "affordable": True,
        },
        {
            "id": 13,
            "title": "30% OFF",
            "points": 2000,
            "kind": "percentage",
            "amount": None,
            "percentage": "30",
            "affordable": False,
        },
    ],
}
GOOD_REDEMPTION = {
    "id": 41,
    "status": "issued",
    "code": "TES-41-K7Q2",
    "points": 1000,
    "currency": "USD",
    "reward": {
        "id": 2,
        "title": "$15 off",
        "kind": "fixed_amount",
        "amount": "15.00",
        "percentage": None,
    },
    "created_at": "2026-03-01T10:15:00+00:00",
}


def with_changes(body: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**body, **changes}


def test_helper_accepts_good_bodies() -> None:
    assert_matches_openapi("GET", "/proxy/rewards", 200, GOOD_REWARDS)
    assert_matches_openapi("get", "/proxy/redemptions/{id}", 200, GOOD_REDEMPTION)
    assert_matches_openapi(
        "POST", "/proxy/redemptions", 202, {"id": 41, "status": "pending", "points": 500}
    )
    assert_matches_openapi(
        "POST",
        "/proxy/redemptions",
        409,
        {"error": {"code": "insufficient_points", "message": "You need 200 more points."}},
    )
    assert_matches_openapi(
        "GET", "/healthz", 200, {"status": "ok", "database": "ok", "queue": "in-process"}
    )
    assert_matches_openapi("GET", "/proxy/r/{code}", 302, None)


@pytest.mark.parametrize(
    ("case", "path", "status", "body", "complaint"),
    [
        ("extra field", "/proxy/rewards", 200, with_changes(GOOD_REWARDS, tier="gold"), "tier"),
        (
            "money as a float",
            "/proxy/redemptions/{id}",
            200,
            with_changes(GOOD_REDEMPTION, reward={**GOOD_REDEMPTION["reward"], "amount": 15.0}),
            "amount",
        ),
        (
            "money with one decimal",
            "/proxy/redemptions/{id}",
            200,
            with_changes(GOOD_REDEMPTION, reward={**GOOD_REDEMPTION["reward"], "amount": "15.5"}),
            "amount",
        ),
        (
            "unknown status",
            "/proxy/redemptions/{id}",
            200,
            with_changes(GOOD_REDEMPTION, status="done"),
            "status",
        ),
        (
            "timestamp without offset",
            "/proxy/redemptions/{id}",
            200,
            with_changes(GOOD_REDEMPTION, created_at="yesterday"),
            "created_at",
        ),
        (
            "missing field",
            "/proxy/rewards",
            200,
            {k: v for k, v in GOOD_REWARDS.items() if k != "can_redeem"},
            "can_redeem",
        ),
        ("error without envelope", "/proxy/rewards", 401, {"message": "nope"}, "error"),
        (
            "error code not snake_case",
            "/proxy/rewards",
            401,
            {"error": {"code": "Login Required", "message": "Log in."}},
            "code",
        ),
    ],
)
def test_helper_rejects_bad_bodies(
    case: str, path: str, status: int, body: Any, complaint: str
) -> None:
    with pytest.raises(ContractViolation, match=complaint):
        assert_matches_openapi("GET", path, status, body)


def test_helper_rejects_undocumented_statuses_paths_and_methods() -> None:
    with pytest.raises(ContractViolation, match="does not document status 500"):
        assert_matches_openapi(
            "GET", "/proxy/rewards", 500, {"error": {"code": "x", "message": "y"}}
        )
    with pytest.raises(ContractViolation, match="not a path"):
        assert_matches_openapi("GET", "/proxy/nothing", 200, {})
    with pytest.raises(ContractViolation, match="not documented"):
        assert_matches_openapi("DELETE", "/proxy/rewards", 200, {})
    with pytest.raises(ContractViolation, match="no body"):
        assert_matches_openapi("GET", "/proxy/r/{code}", 302, {"unexpected": True})


@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("/proxy/member", "/proxy/member"),
        ("/proxy/redemptions", "/proxy/redemptions"),
        ("/proxy/redemptions/41", "/proxy/redemptions/{id}"),
        ("/proxy/devices/7/serial?x=1", "/proxy/devices/{id}/serial"),
        ("/proxy/trade-ins/3/tracking", "/proxy/trade-ins/{id}/tracking"),
        ("/webhooks/orders/paid", "/webhooks/{topic}"),
        ("/webhooks/customers_email_marketing_consent/update", "/webhooks/{topic}"),
    ],
)
def test_path_template_for_concrete_paths(path: str, template: str) -> None:
    assert path_template_for(path) == template


def test_helper_checks_flask_test_responses() -> None:
    app = Flask(__name__)

    @app.get("/proxy/rewards")
    def rewards() -> Any:
        return jsonify(GOOD_REWARDS)

    @app.get("/proxy/redemptions/<int:rid>")
    def redemption(rid: int) -> Any:
        return jsonify(with_changes(GOOD_REDEMPTION, id=rid, secret="leak"))

    @app.get("/proxy/r/<code>")
    def follow(code: str) -> Any:
        return redirect("/discount/FRIEND")

    client = app.test_client()
    assert_response_matches_openapi(client.get("/proxy/rewards"))
    assert_response_matches_openapi(client.get("/proxy/r/AMY7K2"))
    with pytest.raises(ContractViolation, match="secret"):
        assert_response_matches_openapi(client.get("/proxy/redemptions/5"))
