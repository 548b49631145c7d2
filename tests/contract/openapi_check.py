"""Check HTTP responses against ``openapi.yaml``, the app's public contract.

Use it on every response a test gets from the storefront API, the extension API, webhooks and
``/healthz``::

    from tests.contract.openapi_check import assert_matches_openapi, assert_response_matches_openapi

    assert_matches_openapi("GET", "/proxy/member", 200, response.get_json())
    assert_response_matches_openapi(response)  # method, path and status read from a Flask test
    response

Schemas are validated with JSON Schema 2020-12 (the dialect of OpenAPI 3.1); ``$ref``s resolve
against the whole spec, and ``format`` (date, date-time, uri, email) is checked. Response objects
in the spec are closed, so a field the server adds without updating the spec fails here.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path(__file__).resolve().parents[2] / "openapi.yaml"
SPEC_URI = "urn:tesmart-members:openapi"
JSON = "application/json"
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class ContractViolation(AssertionError):
    """A response that the spec does not describe."""


# libyaml's loader when PyYAML has it: the same document, read in a twelfth of the time (the
# pure-Python one takes about 0.4 s of CPU for openapi.yaml).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=1)
def load_spec() -> dict[str, Any]:
    """openapi.yaml, read once per process and shared: callers read it, none changes it."""
    with SPEC_PATH.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_LOADER)  # noqa: S506 (a safe loader)


@lru_cache(maxsize=1)
def _registry() -> Registry:
    resource = Resource(contents=load_spec(), specification=DRAFT202012)
    return Registry().with_resource(SPEC_URI, resource)


def _pointer(*parts: str) -> str:
    escaped = (quote(part.replace("~", "~0").replace("/", "~1"), safe="~") for part in parts)
    return "/" + "/".join(escaped)


def _resolve(node: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Follow an OpenAPI Reference Object (``components/responses/...``) to its target."""
    pointer: list[str] = []
    seen = 0
    while "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            raise ContractViolation(f"only local $refs are supported, not {ref!r}")
        pointer = [p.replace("~1", "/").replace("~0", "~") for p in ref[2:].split("/")]
        node = load_spec()
        for part in pointer:
            node = node[part]
        seen += 1
        if seen > 10:
            raise ContractViolation(f"$ref loop at {ref!r}")
    return node, pointer


def _operation(method: str, path_template: str) -> dict[str, Any]:
    paths = load_spec()["paths"]
    if path_template not in paths:
        raise ContractViolation(f"{path_template} is not a path of openapi.yaml")
    operation = paths[path_template].get(method.lower())
    if operation is None:
        documented = sorted(m.upper() for m in paths[path_template] if m in _METHODS)
        raise ContractViolation(
            f"{method.upper()} {path_template} is not documented (documented: {documented})"
        )
    return operation


def response_schema_pointer(method: str, path_template: str, status: int) -> str | None:
    """The JSON pointer (into the spec) of the body schema, or None when the response has no
    body."""
    operation = _operation(method, path_template)
    responses = operation.get("responses", {})
    for key in (str(status), f"{status // 100}XX", "default"):
        if key in responses:
            response_key = key
            break
    else:
        raise ContractViolation(
            f"{method.upper()} {path_template} does not document status {status} "
            f"(documented: {sorted(responses)})"
        )
    response = responses[response_key]
    response, target = _resolve(response)
    base = target or ["paths", path_template, method.lower(), "responses", response_key]
    content = response.get("content")
    if not content:
        return None
    if JSON not in content:
        raise ContractViolation(f"{method.upper()} {path_template} {status} is not {JSON}")
    return _pointer(*base, "content", JSON, "schema")


def validator_for(pointer: str) -> Draft202012Validator:
    return Draft202012Validator(
        {"$ref": f"{SPEC_URI}#{pointer}"},
        registry=_registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def schema_errors(pointer: str, instance: Any) -> list[str]:
    errors = sorted(validator_for(pointer).iter_errors(instance), key=lambda e: list(e.path))
    return [
        f"at {'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}" for e in errors
    ]


def assert_matches_openapi(method: str, path_template: str, status: int, json_body: Any) -> None:
    """Fail unless ``json_body`` is what openapi.yaml documents for this operation and status.

    ``path_template`` is the spec's path (``/proxy/redemptions/{id}``); use
    :func:`path_template_for` to find it from a concrete path. A response documented without a
    body must come with ``json_body=None``.
    """
    pointer = response_schema_pointer(method, path_template, status)
    where = f"{method.upper()} {path_template} {status}"
    if pointer is None:
        if json_body not in (None, b"", ""):
            raise ContractViolation(f"{where} documents no body, got {json_body!r}")
        return
    errors = schema_errors(pointer, json_body)
    if errors:
        raise ContractViolation(f"{where} does not match openapi.yaml:\n  " + "\n  ".join(errors))


@lru_cache(maxsize=1)
def _templates() -> list[tuple[re.Pattern[str], str]]:
    compiled = []
    for template in load_spec()["paths"]:
        # A webhook topic keeps its slash (/webhooks/orders/paid), so {topic} spans segments.
        regex = re.sub(
            r"\\\{(\w+)\\\}",
            lambda m: "(.+)" if m.group(1) == "topic" else "([^/]+)",
            re.escape(template),
        )
        compiled.append((re.compile(f"^{regex}$"), template))
    # Literal paths win over templated ones (/proxy/trade-ins before /proxy/{...}).
    compiled.sort(key=lambda item: (item[1].count("{"), -len(item[1])))
    return compiled


def path_template_for(path: str) -> str:
    """The spec's path template for a concrete path: ``/proxy/redemptions/7`` ->
    ``/proxy/redemptions/{id}``."""
    bare = path.split("?", 1)[0]
    for regex, template in _templates():
        if regex.match(bare):
            return template
    raise ContractViolation(f"{bare} matches no path of openapi.yaml")


def assert_response_matches_openapi(
    response: Any, method: str | None = None, path: str | None = None
) -> None:
    """Check a Flask/Werkzeug test response; method and path default to its request's."""
    request = getattr(response, "request", None)
    method = method or (request.method if request is not None else None)
    path = path or (request.path if request is not None else None)
    if not method or not path:
        raise ContractViolation("pass method and path: the response does not carry its request")
    template = path_template_for(path)
    pointer = response_schema_pointer(method, template, response.status_code)
    if pointer is None:
        return  # documented without a JSON body (a redirect); Werkzeug may add a tiny HTML one
    if response.mimetype != JSON:
        raise ContractViolation(
            f"{method.upper()} {path} {response.status_code}: expected {JSON}, got "
            f"{response.mimetype}"
        )
    assert_matches_openapi(method, template, response.status_code, response.get_json())
