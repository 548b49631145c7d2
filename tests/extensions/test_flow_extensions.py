"""The Flow extensions hold to the format Shopify documents (and Shopify CLI checks at build:
`shopify app build` needs the Partner account, so these rules are pinned here), and the app sends
each trigger with exactly the fields its extension declares; the customer metafields the app
writes are the ones shopify.app.toml declares."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from plugin.reach.flow_triggers import TRIGGERS
from plugin.reach.metafields import DEFINITIONS
from plugin.shopify.fake.flow import trigger_fields

ROOT = Path(__file__).resolve().parents[2]
FLOW_DIRS = sorted(p.parent for p in (ROOT / "extensions").glob("flow-*/shopify.extension.toml"))
HANDLE = re.compile(r"^[a-zA-Z0-9-]{1,30}$")
# Shopify CLI (services/flow): the field types a trigger / an action may declare besides the
# commerce object references.
TRIGGER_TYPES = {"boolean", "email", "single_line_text_field", "url", "number_decimal"}
ACTION_TYPES = {
    "boolean",
    "email",
    "multi_line_text_field",
    "number_integer",
    "single_line_text_field",
    "url",
    "number_decimal",
}
REFERENCES = {"customer_reference", "order_reference", "product_reference"}


def _config(directory: Path) -> dict[str, Any]:
    return tomllib.loads((directory / "shopify.extension.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("directory", FLOW_DIRS, ids=lambda d: d.name)
def test_each_flow_extension_has_the_documented_shape(directory: Path) -> None:
    config = _config(directory)
    [extension] = config["extensions"]
    assert extension["type"] in ("flow_trigger", "flow_action")
    assert HANDLE.match(extension["handle"]) and not extension["handle"].startswith("-")
    assert extension["name"] and extension["description"]
    fields = config["settings"]["fields"]
    assert [f["type"] for f in fields].count("customer_reference") == 1
    for field in fields:
        if field["type"] in REFERENCES:
            assert set(field) <= {"type", "description", "required"}
            continue
        if extension["type"] == "flow_trigger":
            assert field["type"] in TRIGGER_TYPES
            assert re.fullmatch(r"[a-zA-Z ]+", field["key"]), (
                "trigger keys: letters and spaces only"
            )
            assert set(field) <= {"type", "key", "description"}
        else:
            assert field["type"] in ACTION_TYPES
            assert (
                set(field) <= {"type", "key", "name", "description", "required"} and field["name"]
            )
    if extension["type"] == "flow_action":
        assert extension["runtime_url"].startswith("https://")
        assert extension["runtime_url"].endswith("/integrations/flow/adjust-points")


def test_the_app_sends_exactly_the_declared_triggers() -> None:
    declared = trigger_fields()
    assert set(declared) == set(TRIGGERS)
    for handle, fields in TRIGGERS.items():
        assert declared[handle] == ("customer_id", *fields), handle


def test_the_metafields_written_are_the_declared_ones() -> None:
    config = tomllib.loads((ROOT / "shopify.app.toml").read_text(encoding="utf-8"))
    declared = config["customer"]["metafields"]["app"]
    assert {key: spec["type"] for key, spec in declared.items()} == DEFINITIONS
    for spec in declared.values():
        assert spec["access"]["admin"] in ("merchant_read", "merchant_read_write")
