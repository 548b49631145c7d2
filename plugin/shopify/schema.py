"""Shopify's Admin GraphQL schema, as published in the `@shopify/dev-mcp` npm package.

Every document the app sends is checked against the real schema (tests, and the fake Admin API on
every request), so a typo or a field Shopify removed fails in CI rather than in production.

The package ships gzipped introspection JSON per API version. Besides the schema (`data`), the Admin
files carry `offline_scopes.items`: one entry per type (`"type": "type"`) and per field
(`"type": "field"`), each with `offlineScopes` (the scope handles involved) and `requiredAccess`
(the same in prose). `offlineScopes` alone is ambiguous: `["read_orders",
"read_marketplace_orders"]` means "either one", while `["write_draft_orders", "write_orders"]`
("... Also: Requires `write_orders`") means "both". The prose disambiguates, so
:func:`scope_requirements` reads it.

Loading costs about one second (JSON parse plus `build_client_schema`); it happens once per process
and is cached.
"""

from __future__ import annotations

import functools
import gzip
import json
import logging
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    build_client_schema,
    get_named_type,
    parse,
    validate,
    visit,
)
from graphql.validation.rules.custom.no_deprecated import NoDeprecatedCustomRule
from graphql.validation.specified_rules import specified_rules

from . import API_VERSION

log = logging.getLogger(__name__)

SCHEMA_PATH_ENV = "SHOPIFY_SCHEMA_PATH"
REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_DIR = Path("node_modules") / "@shopify" / "dev-mcp" / "dist" / "data"

# A scope handle in `requiredAccess` prose, always back-quoted there.
_SCOPE_HANDLE = re.compile(r"`((?:unauthenticated_)?(?:read|write)_[a-z0-9_]+)`")


class SchemaUnavailable(FileNotFoundError):
    """The schema file is not installed (run `npm ci`), or SHOPIFY_SCHEMA_PATH points nowhere."""


@dataclass(frozen=True)
class ScopeNeed:
    """One access requirement of a document: any scope in `any_of` satisfies it.

    `where` names the schema element that needs it (`Customer`, `Mutation.discountCodeBasicCreate`),
    so a failing scope test can say which line of which document asked for what.
    """

    where: str
    any_of: tuple[str, ...]


@dataclass(frozen=True)
class LoadedSchema:
    schema: GraphQLSchema
    # (type name, field name or None for the type itself) -> groups, all required, any one of each.
    scope_rules: dict[tuple[str, str | None], tuple[tuple[str, ...], ...]]
    path: Path
    load_seconds: float


def schema_path(api_version: str = API_VERSION) -> Path:
    """Where the Admin schema for `api_version` lives: SHOPIFY_SCHEMA_PATH, else the npm package."""
    override = os.environ.get(SCHEMA_PATH_ENV)
    if override:
        return Path(override)
    return REPO_ROOT / SCHEMA_DIR / f"admin_{api_version}.json.gz"


def load(api_version: str = API_VERSION) -> LoadedSchema:
    """The schema and its scope rules for `api_version`, built once per process and path."""
    return _load(str(schema_path(api_version)))


def admin_schema(api_version: str = API_VERSION) -> GraphQLSchema:
    """The graphql-core schema of the Admin API (cached; the first call takes about a second)."""
    return load(api_version).schema


@functools.cache
def _load(path: str) -> LoadedSchema:
    started = time.perf_counter()
    try:
        with gzip.open(path, "rb") as fh:
            raw = json.load(fh)
    except FileNotFoundError as exc:
        raise SchemaUnavailable(
            f"Shopify Admin schema not found at {path}: install the npm dev dependencies "
            f"(`npm ci`) or set {SCHEMA_PATH_ENV}"
        ) from exc
    # Shopify's schema breaks one rule graphql-core enforces (deprecated fields implementing
    # non-deprecated interface fields, e.g. Customer.hasTimelineComment). The schema is Shopify's
    # to get right; documents are still validated in full against it.
    schema = build_client_schema(raw["data"], assume_valid=True)
    rules = _scope_rules(raw.get("offline_scopes", {}).get("items", []))
    elapsed = time.perf_counter() - started
    log.info("loaded Shopify Admin schema %s in %.2f s", Path(path).name, elapsed)
    return LoadedSchema(schema=schema, scope_rules=rules, path=Path(path), load_seconds=elapsed)


def _scope_rules(
    items: list[dict[str, Any]],
) -> dict[tuple[str, str | None], tuple[tuple[str, ...], ...]]:
    rules: dict[tuple[str, str | None], tuple[tuple[str, ...], ...]] = {}
    for item in items:
        scopes = item.get("offlineScopes") or []
        if not scopes:
            continue
        key = (item["typeName"], item.get("fieldName") if item.get("type") == "field" else None)
        rules[key] = _requirement_groups(item.get("requiredAccess", ""), scopes)
    return rules


def _requirement_groups(
    required_access: str, offline_scopes: list[str]
) -> tuple[tuple[str, ...], ...]:
    """Read Shopify's prose into groups that are all required, any scope of a group sufficing.

    "`a` access scope or `b` access scope."               -> ((a, b),)
    "`a` access scope and (`b` access scope or `c` ...)"  -> ((a,), (b, c))
    "`a` access scope as well as any of `b`, `c` ..."     -> ((a,), (b, c))
    "`a` access scope. Also: Requires `b` access scope."  -> ((a,), (b,))
    Anything else in "Also:" (user permissions, conditional needs) is not a scope the app must ask
    for. If the prose names nothing, the listed scopes are taken as alternatives.
    """
    main, _, also = required_access.partition("Also:")
    named = _unique(_SCOPE_HANDLE.findall(main))
    groups: list[tuple[str, ...]] = []
    if named and (" and (" in main or "as well as" in main) and len(named) > 1:
        groups += [(named[0],), tuple(named[1:])]
    elif named:
        groups.append(tuple(named))
    requires = re.match(r"\s*Requires\b([^.]*)", also)
    if requires:
        extra = _unique(_SCOPE_HANDLE.findall(requires.group(1)))
        if extra:
            groups.append(tuple(extra))
    known = set(offline_scopes)
    if not groups or any(scope not in known for group in groups for scope in group):
        groups = [tuple(_unique(offline_scopes))]
    return tuple(groups)


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def validate_document(
    source: str, *, api_version: str = API_VERSION, allow_deprecated: bool = True
) -> list[str]:
    """Error messages of `source` against the Admin schema; an empty list means it is valid.

    With `allow_deprecated=False`, use of a deprecated field, argument or enum value is an error
    too: the app's own documents are held to that, so a deprecation shows up before the removal.
    """
    try:
        document = parse(source)
    except GraphQLError as exc:
        return [exc.message]
    rules = list(specified_rules)
    if not allow_deprecated:
        rules.append(NoDeprecatedCustomRule)
    errors = validate(admin_schema(api_version), document, rules)
    return [_describe(error) for error in errors]


def _describe(error: GraphQLError) -> str:
    where = ", ".join(f"line {loc.line}" for loc in (error.locations or []))
    return f"{error.message} ({where})" if where else error.message


def scope_requirements(source: str, *, api_version: str = API_VERSION) -> list[ScopeNeed]:
    """Every access requirement of the types and fields `source` touches, per offline_scopes."""
    loaded = load(api_version)
    needs: dict[tuple[str, tuple[str, ...]], None] = {}
    for type_name, field_name in _touched(loaded.schema, parse(source)):
        for group in loaded.scope_rules.get((type_name, field_name), ()):
            where = f"{type_name}.{field_name}" if field_name else type_name
            needs[(where, group)] = None
    return [ScopeNeed(where=where, any_of=group) for where, group in needs]


def required_scopes(source: str, *, api_version: str = API_VERSION) -> set[str]:
    """The scopes `source` needs: for each requirement, the first scope Shopify lists.

    Shopify lists the ordinary scope first (`read_orders` before `read_marketplace_orders`), which
    is the one an app like this one asks for.
    """
    return {need.any_of[0] for need in scope_requirements(source, api_version=api_version)}


def _touched(schema: GraphQLSchema, document: DocumentNode) -> Iterator[tuple[str, str | None]]:
    """(type, field) and (type, None) for every field, result type and fragment type in
    `document`."""
    found: list[tuple[str, str | None]] = []
    type_info = TypeInfo(schema)

    class Collect(Visitor):
        def enter_field(self, node: FieldNode, *_args: object) -> None:
            parent = type_info.get_parent_type()
            field = type_info.get_field_def()
            if parent is None or field is None:
                return
            found.append((parent.name, node.name.value))
            found.append((parent.name, None))
            found.append((get_named_type(field.type).name, None))

        def enter_inline_fragment(self, node: InlineFragmentNode, *_args: object) -> None:
            if node.type_condition is not None:
                found.append((node.type_condition.name.value, None))

        def enter_fragment_definition(self, node: FragmentDefinitionNode, *_args: object) -> None:
            found.append((node.type_condition.name.value, None))

    visit(document, TypeInfoVisitor(type_info, Collect()))
    return iter(dict.fromkeys(found))
