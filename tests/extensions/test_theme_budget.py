"""The theme widgets stay small, safe, and fully translated.

- JS + CSS together at most 15 KB gzipped; the block JavaScript at most Shopify's documented
  10 KB compressed for theme app extensions.
- Every locale file has exactly the keys of ``en.default.json``, with the same placeholders.
- Every key the Liquid or the JavaScript asks for exists, and every key is used. Keys the
  JavaScript builds from API values (``'member.status_' + status``) are checked against the
  enums of ``openapi.yaml``, so a new enum value without a string fails here.
"""

from __future__ import annotations

import gzip
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from tests.contract.openapi_check import load_spec

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "extensions" / "tesmart-theme"
ASSETS = EXTENSION / "assets"
LOCALES = EXTENSION / "locales"
JS = ASSETS / "tesmart.js"
FORMS_JS = ASSETS / "tesmart-forms.js"  # returns and CTRL F, loaded by tesmart.js when first shown
SCRIPTS = (JS, FORMS_JS)

BUDGET_GZIP_BYTES = 15 * 1024  # JS + CSS together
BLOCK_JS_GZIP_BYTES = 10_000  # Shopify's suggested limit for a theme app extension's JavaScript
BRAND_STRINGS = {
    "tesmart.member.status_label",
    "tesmart.launcher.open",
    "tesmart.launcher.title",
    "tesmart.launcher.tab_ctrl_f",
}
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def load(name: str) -> dict[str, str]:
    return flatten(json.loads((LOCALES / name).read_text(encoding="utf-8")))


ENGLISH = load("en.default.json")
STOREFRONT_LOCALES = sorted(
    p.name for p in LOCALES.glob("*.json") if "schema" not in p.name and "default" not in p.name
)
SCHEMA_LOCALES = sorted(p.name for p in LOCALES.glob("*.schema.json") if "default" not in p.name)


def gzip_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9))


# --- size -----------------------------------------------------------------------------------------


def test_js_and_css_fit_the_gzip_budget() -> None:
    files = sorted(ASSETS.glob("*.js")) + sorted(ASSETS.glob("*.css"))
    assert {f.name for f in files} == {"tesmart.js", "tesmart-forms.js", "tesmart.css"}
    sizes = {f.name: gzip_size(f) for f in files}
    total = sum(sizes.values())
    print(f"gzipped: {sizes} total={total} B (budget {BUDGET_GZIP_BYTES} B)")
    assert total <= BUDGET_GZIP_BYTES, sizes


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_block_javascript_is_within_shopifys_compressed_limit(script: Path) -> None:
    assert gzip_size(script) <= BLOCK_JS_GZIP_BYTES


# --- shape and safety of the script ------------------------------------------------------------


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_script_is_one_iife_without_html_injection(script: Path) -> None:
    source = script.read_text(encoding="utf-8")
    code = re.sub(r"/\*.*?\*/", "", source, flags=re.S).strip()
    assert code.startswith("(function () {") and code.endswith("})();")
    for sink in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
    ):
        assert sink not in source, f"{sink} in {script.name}"
    assert "import " not in code and "export " not in code and "require(" not in code


def test_numbers_dates_and_money_go_through_intl() -> None:
    source = JS.read_text(encoding="utf-8")
    assert "Intl.NumberFormat(c.locale, { style: 'currency'" in source
    assert "Intl.DateTimeFormat(c.locale" in source
    assert "toFixed" not in source and "toLocaleString" not in source


# --- locales ------------------------------------------------------------------------------------


def test_there_are_german_japanese_and_korean_storefront_and_schema_locales() -> None:
    assert STOREFRONT_LOCALES == ["de.json", "ja.json", "ko.json"]
    assert SCHEMA_LOCALES == ["de.schema.json", "ja.schema.json", "ko.schema.json"]


@pytest.mark.parametrize("name", STOREFRONT_LOCALES)
def test_locale_has_the_same_keys_and_placeholders_as_english(name: str) -> None:
    translated = load(name)
    assert sorted(translated) == sorted(ENGLISH)
    for key, text in ENGLISH.items():
        assert translated[key].strip(), f"{name}: {key} is empty"
        assert set(PLACEHOLDER.findall(translated[key])) == set(PLACEHOLDER.findall(text)), key
        if key not in BRAND_STRINGS:
            assert translated[key] != text, f"{name}: {key} is still English"


@pytest.mark.parametrize("name", SCHEMA_LOCALES)
def test_schema_locale_has_the_same_keys_as_english(name: str) -> None:
    english = load("en.default.schema.json")
    translated = load(name)
    assert sorted(translated) == sorted(english)
    assert all(translated[k] != english[k] for k in english), name


# --- keys used ----------------------------------------------------------------------------------


def liquid_sources() -> dict[str, str]:
    return {
        str(p.relative_to(EXTENSION)): p.read_text(encoding="utf-8")
        for p in sorted(EXTENSION.glob("*/*.liquid"))
    }


def liquid_keys() -> set[str]:
    keys: set[str] = set()
    for source in liquid_sources().values():
        keys |= set(re.findall(r"'(tesmart\.[\w.]+)'\s*\|\s*t\b", source))
    return keys


def schema_keys() -> set[str]:
    keys: set[str] = set()
    for source in liquid_sources().values():
        keys |= {k for k in re.findall(r"\"t:([\w.]+)\"", source)}
    return keys


GROUPS = "common|member|rewards|referral|trade_in|devices|launcher|returns|ctrl_f"


def scripts_source() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in SCRIPTS)


def js_literal_keys() -> set[str]:
    source = scripts_source()
    return {f"tesmart.{k}" for k in re.findall(rf"'((?:{GROUPS})\.[a-z0-9_]+)'(?!\s*\+)", source)}


def js_dynamic_prefixes() -> set[str]:
    source = scripts_source()
    return set(re.findall(rf"'((?:{GROUPS})\.[a-z0-9_]*)'\s*\+", source))


@lru_cache(maxsize=1)
def spec_schemas() -> dict[str, Any]:
    schemas: dict[str, Any] = load_spec()["components"]["schemas"]
    return schemas


def spec_enum(schema: str, *path: str) -> list[str]:
    node: Any = spec_schemas()[schema]
    for part in path:
        node = node[part]
    return [value for value in node["enum"] if value is not None]


def expected_dynamic_keys() -> dict[str, list[str]]:
    """Each prefix the script concatenates, with every suffix it can meet."""
    return {
        "member.status_": spec_enum("TesmartIdStatus"),
        "member.cohort_": [c.replace("-", "_") for c in spec_enum("Cohort")],
        "member.benefit_": spec_enum("Member", "properties", "benefits", "items"),
        "member.next_": spec_enum("Member", "properties", "next_steps", "items"),
        "member.earn_": ["signup", "newsletter", "order", "survey", "review", "review_with_photos"],
        "referral.friend_": spec_enum(
            "Referral", "properties", "friends", "items", "properties", "status"
        ),
        "devices.state_": spec_enum("TradeInState"),
        "devices.claim_": spec_enum("WarrantyClaimState"),
        "returns.reason_": spec_enum("ReturnReasonCode"),
        "returns.outcome_": spec_enum("ReturnOutcome"),
        # the return request's fields, one label each
        "returns.": [
            "description_label",
            "proof_label",
            "address1_label",
            "city_label",
            "zip_label",
            "country_label",
            "phone_label",
        ],
        "ctrl_f.state_": spec_enum("CtrlFApplication", "properties", "state"),
        "trade_in.less_": spec_enum(
            "TradeInQuote", "properties", "deductions", "items", "properties", "question"
        ),
        "devices.shipping_": spec_enum("ShippingPaidBy"),
        # every condition question asked the same way round: cosmetic_wear as no_wear
        "trade_in.": ["no_wear" if q == "cosmetic_wear" else q for q in spec_enum_condition()],
        # Redemptions listed without a code: issued ones get the copy box, failed ones are hidden;
        # issued store credit has no code and is listed as added to the store credit.
        "rewards.status_": ["pending", "disabled", "issued"],
        "launcher.": [
            "tab_member",
            "tab_rewards",
            "tab_referral",
            "tab_trade_in",
            "tab_devices",
            "tab_returns",
            "tab_ctrl_f",
        ],
        # Error codes with a translation; any other code shows the API's own message.
        "common.error_": [
            "network",
            "id_not_active",
            "insufficient_points",
            "rate_limited",
            "serial_taken",
            "not_found",
            "birthday_locked",
            "invalid_birthday",
            "store_credit_off",
            "file_too_large",
            "unsupported_file",
            "serial_required",
            "already_applied",
        ],
    }


def spec_enum_condition() -> list[str]:
    return list(spec_schemas()["TradeInCondition"]["properties"])


def test_every_key_used_in_the_liquid_exists() -> None:
    missing = sorted(k for k in liquid_keys() if k not in ENGLISH)
    assert missing == []


def test_every_schema_translation_key_exists() -> None:
    english = load("en.default.schema.json")
    used = schema_keys()
    assert used, "no t: keys in the block schemas"
    assert sorted(k for k in used if k not in english) == []
    assert sorted(k for k in english if k not in used) == []


def test_every_key_used_in_the_javascript_exists() -> None:
    missing = sorted(k for k in js_literal_keys() if k not in ENGLISH)
    assert missing == []


def test_every_dynamic_key_prefix_is_known_and_complete() -> None:
    expected = expected_dynamic_keys()
    assert js_dynamic_prefixes() == set(expected)
    missing = sorted(
        f"tesmart.{prefix}{suffix}"
        for prefix, suffixes in expected.items()
        for suffix in suffixes
        if f"tesmart.{prefix}{suffix}" not in ENGLISH
    )
    assert missing == []


def test_every_string_is_used() -> None:
    # The i18n snippets embed every key, so "used" means the script (or the Liquid outside
    # those snippets) reads it.
    outside_snippets = {
        key
        for name, source in liquid_sources().items()
        if not name.startswith("snippets/tesmart-i18n-")
        for key in re.findall(r"'(tesmart\.[\w.]+)'\s*\|\s*t\b", source)
    }
    dynamic = {
        f"tesmart.{p}{s}" for p, suffixes in expected_dynamic_keys().items() for s in suffixes
    }
    used = js_literal_keys() | dynamic | outside_snippets
    assert sorted(k for k in ENGLISH if k not in used) == []
