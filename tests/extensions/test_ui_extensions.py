"""The checkout and customer-account UI extensions.

They build with `extensions/build.mjs`, every target stays under Shopify's 64 KB bundle limit, the
toml files declare the targets and API version the app is written against, the four languages carry
the same strings, and each bundle, run in Node against a stub of the `shopify` global, renders the
backend's JSON contract and sends the requests the backend expects (and renders nothing in checkout
when anything fails).
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# Node: the extensions' build, tsc and the smoke runs (tests/conftest.py runs slow modules first).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
EXTENSIONS = ROOT / "extensions"
NODE = shutil.which("node")

# Shopify refuses a UI extension bundle over 64 KB.
BUNDLE_LIMIT_BYTES = 65_536
API_VERSION = "2026-07"
# The build in these tests defines APP_URL (with a trailing slash the build must drop) so the
# smoke runs can prove the define reached the bundles.
TEST_APP_URL = "https://members.test.example"

EXPECTED_TARGETS = {
    "tesmart-checkout": {
        "purchase.checkout.block.render": "./src/Checkout.jsx",
        "purchase.thank-you.block.render": "./src/ThankYou.jsx",
    },
    "tesmart-account": {
        "customer-account.order-status.block.render": "./src/OrderStatus.jsx",
        "customer-account.page.render": "./src/DevicesPage.jsx",
    },
}
# Shopify does not allow a full-page target beside any other target in one extension.
FULL_PAGE_TARGETS = {"customer-account.page.render", "customer-account.order.page.render"}
LOCALES = ["de.json", "ja.json", "ko.json"]
PLURAL_FORMS = {"zero", "one", "two", "few", "many", "other"}


def _toml(extension: str) -> dict[str, Any]:
    with (EXTENSIONS / extension / "shopify.extension.toml").open("rb") as handle:
        return tomllib.load(handle)


def _targeting(extension: str) -> list[tuple[str, str]]:
    return [
        (entry["target"], entry["module"])
        for declared in _toml(extension)["extensions"]
        for entry in declared.get("targeting", [])
    ]


ALL_TARGETS = [
    pytest.param(extension, target, module, id=target)
    for extension in EXPECTED_TARGETS
    for target, module in _targeting(extension)
]


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """Locale keys as dotted paths; a plural group counts as one key (its forms vary by
    language)."""
    flat: dict[str, str] = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and set(value) <= PLURAL_FORMS:
            flat[path] = value["other"]
        elif isinstance(value, dict):
            flat.update(_flatten(value, f"{path}."))
        else:
            flat[path] = value
    return flat


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{\{\s*(\w+)\s*\}\}", text))


# --- configuration -------------------------------------------------------------------------------


@pytest.mark.parametrize("extension", EXPECTED_TARGETS)
def test_toml_declares_the_targets_and_api_version(extension: str) -> None:
    config = _toml(extension)
    assert config["api_version"] == API_VERSION
    assert dict(_targeting(extension)) == EXPECTED_TARGETS[extension]
    for declared in config["extensions"]:
        assert declared["type"] == "ui_extension"
        assert declared["capabilities"]["network_access"] is True
        assert declared["capabilities"]["api_access"] is False
        targets = {entry["target"] for entry in declared["targeting"]}
        if targets & FULL_PAGE_TARGETS:
            assert len(targets) == 1, f"{declared['handle']}: a full-page target must be alone"


def test_extension_handles_are_unique() -> None:
    handles = [d["handle"] for ext in EXPECTED_TARGETS for d in _toml(ext)["extensions"]]
    assert len(handles) == len(set(handles))


@pytest.mark.parametrize("extension, target, module", ALL_TARGETS)
def test_target_module_exists(extension: str, target: str, module: str) -> None:
    assert (EXTENSIONS / extension / module).is_file(), f"{target} → {module}"


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("extension", EXPECTED_TARGETS)
def test_locales_share_keys_and_placeholders(extension: str, locale: str) -> None:
    folder = EXTENSIONS / extension / "locales"
    english = _flatten(json.loads((folder / "en.default.json").read_text("utf-8")))
    other = _flatten(json.loads((folder / locale).read_text("utf-8")))
    assert set(other) == set(english), f"{locale} differs from en.default.json"
    for key, text in english.items():
        assert _placeholders(other[key]) == _placeholders(text), f"{locale}: {key}"


# --- build ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Build:
    stdout: str
    outdir: Path

    def bundle(self, extension: str, module: str) -> Path:
        """Where build.mjs puts a target's bundle under `--outdir` (`<ext>/dist/` without it)."""
        return self.outdir / extension / f"{Path(module).stem}.js"


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    if NODE is None:
        pytest.skip("node is not installed: the UI extensions cannot be built here")
    for package in ("esbuild", "preact", "@preact/signals", "@shopify/ui-extensions"):
        if not (ROOT / "node_modules" / package).is_dir():
            pytest.skip(f"node_modules/{package} is missing: run `npm ci` first")
    # Its own output directory: parallel workers never share (or clobber) extensions/*/dist.
    outdir = tmp_path_factory.mktemp("ui-extension-bundles")
    env = {**os.environ, "APP_URL": f"{TEST_APP_URL}/"}
    result = subprocess.run(
        [NODE, "extensions/build.mjs", "--outdir", str(outdir)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return Build(stdout=result.stdout, outdir=outdir)


@pytest.mark.parametrize("extension, target, module", ALL_TARGETS)
def test_bundle_is_under_the_shopify_limit(
    build: Build, extension: str, target: str, module: str
) -> None:
    bundle = build.bundle(extension, module)
    assert bundle.is_file(), f"no bundle for {target}"
    size = bundle.stat().st_size
    assert 0 < size < BUNDLE_LIMIT_BYTES
    [report] = [line for line in build.stdout.splitlines() if line.endswith(f" {target}")]
    assert report.startswith("ok ") and f"{size} B" in report, "build.mjs reports each size"


def test_build_fails_when_a_bundle_is_too_big(build: Build, tmp_path: Path) -> None:
    # The limit check itself: a copy of build.mjs run on a fake extension with a ~100 KB module.
    extensions = tmp_path / "extensions"
    fake = extensions / "too-big"
    (fake / "src").mkdir(parents=True)
    shutil.copy(EXTENSIONS / "build.mjs", extensions / "build.mjs")
    (tmp_path / "node_modules").symlink_to(ROOT / "node_modules")
    filler = json.dumps(os.urandom(52_000).hex())
    (fake / "src" / "Big.js").write_text(f"export default () => {filler};\n", "utf-8")
    (fake / "shopify.extension.toml").write_text(
        'api_version = "2026-07"\n[[extensions]]\ntype = "ui_extension"\nhandle = "too-big"\n'
        '[[extensions.targeting]]\ntarget = "purchase.checkout.block.render"\n'
        'module = "./src/Big.js"\n',
        "utf-8",
    )
    assert NODE is not None
    result = subprocess.run(
        [NODE, "extensions/build.mjs"],
        cwd=tmp_path,
        env={**os.environ, "APP_URL": TEST_APP_URL},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "TOO BIG" in result.stdout


def _build_without_app_url(tmp_path: Path, dotenv: Path) -> subprocess.CompletedProcess[str]:
    assert NODE is not None
    env = {k: v for k, v in os.environ.items() if k != "APP_URL"}
    return subprocess.run(
        [NODE, "extensions/build.mjs", "--outdir", str(tmp_path / "out"), "--dotenv", str(dotenv)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_build_without_a_backend_url_fails(build: Build, tmp_path: Path) -> None:
    # `shopify app deploy` sets no APP_URL: a build that quietly compiled a placeholder in would
    # ship
    # blocks that render nothing. Neither the environment nor the app's .env names one here.
    result = _build_without_app_url(tmp_path, tmp_path / "missing.env")
    assert result.returncode != 0
    assert "APP_URL is not set" in result.stderr
    assert not (tmp_path / "out").exists(), "nothing may be bundled without a backend URL"


def test_the_build_takes_the_url_from_the_apps_dotenv_as_shopify_deploy_does(
    build: Build, tmp_path: Path
) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "SHOPIFY_TESMART_CHECKOUT_ID=abc\nAPP_URL='https://members.dotenv.test/'\n", "utf-8"
    )
    result = _build_without_app_url(tmp_path, dotenv)
    assert result.returncode == 0, result.stdout + result.stderr
    bundle = (tmp_path / "out" / "tesmart-checkout" / "Checkout.js").read_text("utf-8")
    assert "https://members.dotenv.test" in bundle and "https://members.dotenv.test/" not in bundle


def test_no_extension_source_carries_a_placeholder_backend() -> None:
    sources = [
        EXTENSIONS / "build.mjs",
        *EXTENSIONS.glob("*/src/*.js"),
        *EXTENSIONS.glob("*/src/*.jsx"),
    ]
    offenders = [str(p.relative_to(ROOT)) for p in sources if ".example" in p.read_text("utf-8")]
    assert offenders == []


@pytest.mark.parametrize("extension, target, module", ALL_TARGETS)
def test_bundle_parses_as_an_es_module(
    build: Build, tmp_path: Path, extension: str, target: str, module: str
) -> None:
    copy = tmp_path / f"{Path(module).stem}.mjs"
    shutil.copy(build.bundle(extension, module), copy)
    assert NODE is not None
    result = subprocess.run(
        [NODE, "--check", str(copy)], capture_output=True, text=True, timeout=30, check=False
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def typecheck() -> dict[str, tuple[int, str]]:
    """`tsc` over each extension (JSX props and `shopify` API use against the package's .d.ts)."""
    tsc = ROOT / "node_modules" / "typescript" / "bin" / "tsc"
    if NODE is None or not tsc.is_file():
        pytest.skip("node or node_modules/typescript is missing: run `npm ci` first")
    processes = {
        extension: subprocess.Popen(
            [NODE, str(tsc), "-p", str(EXTENSIONS / extension / "tsconfig.json")],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for extension in EXPECTED_TARGETS
    }
    results = {}
    for extension, process in processes.items():
        output, _ = process.communicate(timeout=120)
        results[extension] = (process.returncode, output)
    return results


@pytest.mark.parametrize("extension", EXPECTED_TARGETS)
def test_sources_type_check_against_ui_extensions(
    typecheck: dict[str, tuple[int, str]], extension: str
) -> None:
    returncode, output = typecheck[extension]
    assert returncode == 0, output


# --- smoke runs in Node --------------------------------------------------------------------------

# Runs one bundle with a stub `shopify` global, a stub fetch and a minimal DOM for Preact; prints
# the rendered tree, the requests made and any translation key the locale file lacks.
HARNESS = r"""
import {readFileSync} from 'node:fs';
import {pathToFileURL} from 'node:url';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const errors = [];
process.on('unhandledRejection', (error) => errors.push(String((error && error.stack) || error)));
console.error = (...args) => errors.push(args.map(String).join(' '));

class FakeNode {
  constructor() { this.parentNode = null; this.childNodes = []; }
  get firstChild() { return this.childNodes[0] || null; }
  get lastChild() { return this.childNodes[this.childNodes.length - 1] || null; }
  get nextSibling() {
    const siblings = this.parentNode ? this.parentNode.childNodes : [];
    return siblings[siblings.indexOf(this) + 1] || null;
  }
  get ownerDocument() { return fakeDocument; }
  appendChild(child) { return this.insertBefore(child, null); }
  insertBefore(child, reference) {
    if (child.parentNode) child.parentNode.removeChild(child);
    const index = reference ? this.childNodes.indexOf(reference) : -1;
    if (index < 0) this.childNodes.push(child); else this.childNodes.splice(index, 0, child);
    child.parentNode = this;
    return child;
  }
  removeChild(child) {
    const index = this.childNodes.indexOf(child);
    if (index >= 0) this.childNodes.splice(index, 1);
    child.parentNode = null;
    return child;
  }
  remove() { if (this.parentNode) this.parentNode.removeChild(this); }
}
class FakeText extends FakeNode {
  constructor(data) { super(); this.nodeType = 3; this.data = String(data); }
  get textContent() { return this.data; }
}
class FakeElement extends FakeNode {
  constructor(tag) {
    super();
    this.nodeType = 1;
    this.localName = tag;
    this.namespaceURI = 'http://www.w3.org/1999/xhtml';
    this.attributes = [];
    this.listeners = {};
    this.style = {setProperty() {}};
  }
  get textContent() { return this.childNodes.map((child) => child.textContent).join(''); }
  setAttribute(name, value) {
    this.removeAttribute(name);
    this.attributes.push({name, value: String(value)});
  }
  removeAttribute(name) { this.attributes = this.attributes.filter((a) => a.name !== name); }
  addEventListener(type, fn) { (this.listeners[type] ||= []).push(fn); }
  removeEventListener(type, fn) {
    this.listeners[type] = (this.listeners[type] || []).filter((f) => f !== fn);
  }
}
const fakeDocument = {
  nodeType: 9,
  createElement: (tag) => new FakeElement(tag),
  createElementNS: (_namespace, tag) => new FakeElement(tag),
  createTextNode: (data) => new FakeText(data),
};
fakeDocument.body = new FakeElement('body');
globalThis.document = fakeDocument;

function html(node) {
  if (node.nodeType === 3) return node.data;
  const attrs = node.attributes.map((a) => ` ${a.name}="${a.value}"`).join('');
  return `<${node.localName}${attrs}>${node.childNodes.map(html).join('')}</${node.localName}>`;
}
function find(node, predicate) {
  if (node.nodeType !== 1) return null;
  if (predicate(node)) return node;
  for (const child of node.childNodes) {
    const hit = find(child, predicate);
    if (hit) return hit;
  }
  return null;
}

const locale = JSON.parse(readFileSync(config.locale, 'utf8'));
const missing = [];
function translate(key, options = {}) {
  let entry = key.split('.').reduce(
    (n, k) => (n && typeof n === 'object' ? n[k] : undefined), locale);
  if (entry && typeof entry === 'object' && 'count' in options) {
    entry = entry[new Intl.PluralRules('en').select(options.count)] ?? entry.other;
  }
  if (typeof entry !== 'string') {
    missing.push(key);
    return `[missing ${key}]`;
  }
  return entry.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name) => {
    if (name in options) return String(options[name]);
    missing.push(`${key}:{{${name}}}`);
    return '';
  });
}
const signal = (value) => ({value, current: value, subscribe: () => () => {}});

const requests = [];
const applied = [];
globalThis.fetch = async (url, init = {}) => {
  requests.push({url: String(url), method: init.method || 'GET', headers: init.headers || {},
    body: init.body === undefined ? null : init.body});
  const answer = config.response;
  if (answer.network_error) throw new TypeError('fetch failed');
  return {ok: answer.status >= 200 && answer.status < 300, status: answer.status,
    json: async () => answer.json};
};

const shopify = {
  extension: {target: config.target},
  i18n: {
    translate,
    formatNumber: (n, o) => new Intl.NumberFormat('en-US', o).format(n),
    formatCurrency: (n, o = {}) =>
      new Intl.NumberFormat('en-US', {style: 'currency', currency: 'USD', ...o}).format(n),
    formatDate: (d, o) => new Intl.DateTimeFormat('en-US', o).format(d),
  },
  sessionToken: {get: async () => config.token},
  settings: signal(config.settings || {}),
};
if (config.target.startsWith('purchase.')) {
  Object.assign(shopify, {
    lines: signal(config.lines),
    cost: {subtotalAmount: signal(config.subtotal)},
    localization: {currency: signal({isoCode: config.subtotal.currencyCode})},
    discountCodes: signal([]),
    instructions: signal({discounts: {canUpdateDiscountCodes: true}}),
  });
  if (config.target === 'purchase.checkout.block.render') {
    shopify.applyDiscountCodeChange = async (change) => {
      applied.push(change);
      return {type: 'success'};
    };
  } else {
    shopify.orderConfirmation = signal({order: {id: 'gid://shopify/OrderIdentity/1'}});
  }
}
if (config.target === 'customer-account.order-status.block.render') {
  shopify.order = signal(config.order);
}
globalThis.shopify = shopify;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function settle() {
  // Preact runs effects after a frame (a 35 ms timer in Node); wait until the tree stops changing.
  let last = null;
  let stable = 0;
  for (let waited = 0; waited < 3000 && stable < 3; waited += 30) {
    await sleep(30);
    const now = html(fakeDocument.body);
    stable = now === last && waited >= 90 ? stable + 1 : 0;
    last = now;
  }
}

const extension = await import(pathToFileURL(config.bundle).href);
await extension.default();
await settle();
const rendered = html(fakeDocument.body);
let clicked = null;
if (config.click) {
  const button = find(fakeDocument.body,
    (el) => el.localName === 's-button' && el.textContent === config.click);
  clicked = Boolean(button);
  if (button) {
    for (const listener of button.listeners.click || []) listener.call(button, {type: 'click'});
    await settle();
  }
}
process.stdout.write(JSON.stringify({html: rendered, text: fakeDocument.body.textContent,
  requests, applied, missing, errors, clicked}));
process.exit(0);
"""

EMPTY = "<body></body>"
CHECKOUT = ("tesmart-checkout", "./src/Checkout.jsx", "purchase.checkout.block.render")
THANK_YOU = ("tesmart-checkout", "./src/ThankYou.jsx", "purchase.thank-you.block.render")
ORDER_STATUS = (
    "tesmart-account",
    "./src/OrderStatus.jsx",
    "customer-account.order-status.block.render",
)
DEVICES_PAGE = ("tesmart-account", "./src/DevicesPage.jsx", "customer-account.page.render")


def _session_token(claims: dict[str, Any]) -> str:
    """An unsigned JWT-shaped token: the extensions only pass it on (and read `dest` for a link)."""

    def part(data: dict[str, Any]) -> str:
        raw = json.dumps(data).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


TOKEN = _session_token(
    {"dest": "tesmart-us.myshopify.com", "sub": "gid://shopify/Customer/7", "aud": "client-id"}
)

CART = {
    "lines": [
        {
            "id": "gid://shopify/CartLine/1",
            "quantity": 2,
            "merchandise": {
                "type": "variant",
                "id": "gid://shopify/ProductVariant/11",
                "title": "4-port HDMI KVM switch",
                "product": {"id": "gid://shopify/Product/1", "vendor": "TESmart"},
            },
            "cost": {"totalAmount": {"amount": 259.98, "currencyCode": "USD"}},
        },
        {
            "id": "gid://shopify/CartLine/2",
            "quantity": 1,
            "merchandise": {
                "type": "variant",
                "id": "gid://shopify/ProductVariant/22",
                "title": "HDMI cable",
                "product": {"id": "gid://shopify/Product/2", "vendor": "TESmart"},
            },
            "cost": {"totalAmount": {"amount": 9.5, "currencyCode": "USD"}},
        },
    ],
    "subtotal": {"amount": 269.48, "currencyCode": "USD"},
}

MEMBER_SUMMARY = {
    "member": {"status": "active", "cohort": "2025-11", "balance": 1250},
    "points_to_earn": 4000,
    "multiplier": "2",
    "reward_codes": [{"code": "TSM-15OFF-42", "title": "$15 off"}],
    "warranty": [
        {
            "product_id": "gid://shopify/Product/1",
            "title": "4-port HDMI KVM switch",
            "category": "kvm_switch",
            "standard_warranty_months": 12,
            "extended_warranty_months": 36,
        }
    ],
}

GUEST_SUMMARY = {
    "member": None,
    "points_to_earn": 2000,
    "multiplier": "1",
    "reward_codes": [{"code": "SHOULD-NOT-SHOW", "title": "not theirs"}],
    "warranty": [
        {
            "product_id": "gid://shopify/Product/1",
            "title": "4-port HDMI KVM switch",
            "category": "kvm_switch",
            "standard_warranty_months": 24,
            "extended_warranty_months": 36,
        }
    ],
}

DEVICE = {
    "id": 31,
    "title": "TESmart 4-port HDMI KVM switch",
    "category": "kvm_switch",
    "serial": "TS-HKS0401-0001",
    "order_name": "#1001",
    "purchased_at": "2019-01-01",
    "amount_paid": "129.00",
    "currency": "USD",
    "delivery_country": "US",
    "standard_warranty_end": "2020-01-01",
    "extended_warranty_end": "2099-12-31",
    "replacement_used": False,
    "warranty": {"claim_available": True, "reason": "Inside the extended warranty."},
    "trade_in": {
        "eligible": True,
        "kind": "recovery_value",
        "earliest_on": "2019-04-01",
        "status": "approved",
    },
}
SECOND_DEVICE = {
    **DEVICE,
    "id": 32,
    "title": "TESmart HDMI extender",
    "category": "kvm_extender",
    "serial": None,
    "extended_warranty_end": None,
    "replacement_used": True,
    "trade_in": {"eligible": False, "kind": "none", "earliest_on": None, "status": None},
}

SCENARIOS: dict[str, dict[str, Any]] = {
    "checkout_member": {
        "surface": CHECKOUT,
        **CART,
        "response": {"status": 200, "json": MEMBER_SUMMARY},
        "click": "Apply",
    },
    "checkout_guest": {
        "surface": CHECKOUT,
        **CART,
        "response": {"status": 200, "json": GUEST_SUMMARY},
    },
    "checkout_settings_off": {
        "surface": CHECKOUT,
        **CART,
        "settings": {"show_reward_codes": False, "show_warranty": False},
        "response": {"status": 200, "json": MEMBER_SUMMARY},
    },
    "checkout_server_error": {
        "surface": CHECKOUT,
        **CART,
        "response": {"status": 500, "json": {"error": {"code": "boom", "message": "Boom."}}},
    },
    "checkout_network_error": {
        "surface": CHECKOUT,
        **CART,
        "response": {"network_error": True},
    },
    "checkout_malformed": {
        "surface": CHECKOUT,
        **CART,
        "response": {"status": 200, "json": {"points_to_earn": "lots", "warranty": "none"}},
    },
    "checkout_empty_cart": {
        "surface": CHECKOUT,
        "lines": [],
        "subtotal": {"amount": 0, "currencyCode": "USD"},
        "response": {"status": 200, "json": MEMBER_SUMMARY},
    },
    "thank_you": {
        "surface": THANK_YOU,
        **CART,
        "response": {"status": 200, "json": MEMBER_SUMMARY},
    },
    "order_status": {
        "surface": ORDER_STATUS,
        "order": {"id": "gid://shopify/Order/4501", "name": "#1001"},
        "response": {"status": 200, "json": {"devices": [DEVICE]}},
    },
    "order_status_unauthorized": {
        "surface": ORDER_STATUS,
        "order": {"id": "gid://shopify/Order/4501", "name": "#1001"},
        "response": {"status": 401, "json": {"error": {"code": "unauthorized", "message": "No."}}},
    },
    "order_status_no_devices": {
        "surface": ORDER_STATUS,
        "order": {"id": "gid://shopify/Order/4502", "name": "#1002"},
        "response": {"status": 200, "json": {"devices": []}},
    },
    "devices_page": {
        "surface": DEVICES_PAGE,
        "response": {"status": 200, "json": {"devices": [DEVICE, SECOND_DEVICE]}},
    },
    "devices_page_configured_link": {
        "surface": DEVICES_PAGE,
        "settings": {"trade_in_url": "https://tesmart.com/pages/recycle"},
        "response": {"status": 200, "json": {"devices": [DEVICE]}},
    },
    "devices_page_empty": {
        "surface": DEVICES_PAGE,
        "response": {"status": 200, "json": {"devices": []}},
    },
    "devices_page_error": {
        "surface": DEVICES_PAGE,
        "response": {"network_error": True},
    },
}


@pytest.fixture(scope="module")
def smoke(build: Build, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Every scenario run at once, each in its own Node process (module state is per process)."""
    workdir = tmp_path_factory.mktemp("ui-extension-smoke")
    harness = workdir / "harness.mjs"
    harness.write_text(HARNESS, "utf-8")
    processes = {}
    for name, scenario in SCENARIOS.items():
        extension, module, target = scenario["surface"]
        bundle = workdir / f"{name}.mjs"
        shutil.copy(build.bundle(extension, module), bundle)
        config = {k: v for k, v in scenario.items() if k != "surface"}
        config.update(
            bundle=str(bundle),
            locale=str(EXTENSIONS / extension / "locales" / "en.default.json"),
            target=target,
            token=TOKEN,
        )
        config_file = workdir / f"{name}.json"
        config_file.write_text(json.dumps(config), "utf-8")
        processes[name] = subprocess.Popen(
            [NODE or "node", str(harness), str(config_file)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    results = {}
    for name, process in processes.items():
        stdout, stderr = process.communicate(timeout=30)
        assert process.returncode == 0, f"{name}: {stderr}"
        results[name] = json.loads(stdout)
    return results


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_smoke_run_is_clean(smoke: dict[str, dict[str, Any]], scenario: str) -> None:
    result = smoke[scenario]
    assert result["errors"] == []
    assert result["missing"] == [], "translation keys missing from en.default.json"


def test_checkout_posts_the_cart_with_the_session_token(smoke: dict[str, dict[str, Any]]) -> None:
    [request] = smoke["checkout_member"]["requests"]
    assert request["url"] == f"{TEST_APP_URL}/extension-api/checkout"
    assert request["method"] == "POST"
    assert request["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert request["headers"]["Content-Type"] == "application/json"
    assert json.loads(request["body"]) == {
        "lines": [
            {"product_id": "gid://shopify/Product/1", "quantity": 2, "amount": "259.98"},
            {"product_id": "gid://shopify/Product/2", "quantity": 1, "amount": "9.5"},
        ],
        "currency": "USD",
        "subtotal": "269.48",
    }


def test_checkout_shows_points_balance_codes_and_warranty(
    smoke: dict[str, dict[str, Any]],
) -> None:
    result = smoke["checkout_member"]
    text = result["text"]
    assert "You'll earn 4,000 points with this order." in text
    assert "<s-badge>2X points</s-badge>" in result["html"]
    assert "Your balance: 1,250 points" in text
    assert "$15 off: TSM-15OFF-42" in text
    assert "12-month standard warranty · extended to 36 months with your TESmart ID" in text
    assert result["clicked"] is True
    assert result["applied"] == [{"type": "addDiscountCode", "code": "TSM-15OFF-42"}]


def test_checkout_for_a_guest_invites_without_codes(smoke: dict[str, dict[str, Any]]) -> None:
    result = smoke["checkout_guest"]
    assert "You'll earn 2,000 points" in result["text"]
    assert "s-badge" not in result["html"], "a 1x multiplier is no campaign"
    assert "TESmart ID of this order's email address" in result["text"]
    assert "SHOULD-NOT-SHOW" not in result["text"]
    assert "24-month standard warranty · 36 months with an activated TESmart ID" in result["text"]


def test_checkout_settings_hide_codes_and_warranty(smoke: dict[str, dict[str, Any]]) -> None:
    text = smoke["checkout_settings_off"]["text"]
    assert "4,000 points" in text
    assert "TSM-15OFF-42" not in text
    assert "warranty" not in text.lower()


@pytest.mark.parametrize(
    "scenario", ["checkout_server_error", "checkout_network_error", "checkout_malformed"]
)
def test_checkout_renders_nothing_when_anything_fails(
    smoke: dict[str, dict[str, Any]], scenario: str
) -> None:
    assert len(smoke[scenario]["requests"]) == 1
    assert smoke[scenario]["html"] == EMPTY


def test_checkout_without_lines_asks_nothing(smoke: dict[str, dict[str, Any]]) -> None:
    assert smoke["checkout_empty_cart"]["requests"] == []
    assert smoke["checkout_empty_cart"]["html"] == EMPTY


def test_thank_you_shows_codes_but_never_applies_them(smoke: dict[str, dict[str, Any]]) -> None:
    result = smoke["thank_you"]
    assert "This order earns you 4,000 points once it's paid." in result["text"]
    assert "TSM-15OFF-42" in result["text"]
    assert ">Apply<" not in result["html"]
    assert '<s-clipboard-item id="tesmart-reward-code-0" text="TSM-15OFF-42">' in result["html"]
    assert result["applied"] == []


def test_order_status_gets_the_devices_of_this_order(smoke: dict[str, dict[str, Any]]) -> None:
    result = smoke["order_status"]
    [request] = result["requests"]
    assert request["url"] == f"{TEST_APP_URL}/extension-api/orders/4501/devices"
    assert request["method"] == "GET"
    assert request["headers"]["Authorization"] == f"Bearer {TOKEN}"
    text = result["text"]
    assert "TESmart 4-port HDMI KVM switch" in text
    assert "Standard warranty ended Jan 1, 2020" in text
    assert "Extended warranty until Dec 31, 2099" in text
    assert "Trade-in: approved" in text
    assert 'href="extension://tesmart-devices-page"' in result["html"]


@pytest.mark.parametrize("scenario", ["order_status_unauthorized", "order_status_no_devices"])
def test_order_status_renders_nothing_without_devices(
    smoke: dict[str, dict[str, Any]], scenario: str
) -> None:
    assert smoke[scenario]["html"] == EMPTY


def test_devices_page_lists_every_device(smoke: dict[str, dict[str, Any]]) -> None:
    result = smoke["devices_page"]
    [request] = result["requests"]
    assert request["url"] == f"{TEST_APP_URL}/extension-api/devices"
    assert request["headers"]["Authorization"] == f"Bearer {TOKEN}"
    page, text = result["html"], result["text"]
    assert '<s-page heading="My devices"' in page
    assert '<s-section heading="TESmart 4-port HDMI KVM switch">' in page
    assert "KVM switch · Serial number TS-HKS0401-0001" in text
    assert "Order #1001 · Purchased Jan 1, 2019 · $129.00" in text
    assert "Extended warranty until Dec 31, 2099" in text
    assert "One warranty replacement available" in text
    assert '<s-section heading="TESmart HDMI extender">' in page
    assert "No serial number registered" in text
    assert "No extended warranty" in text
    assert "Warranty replacement used" in text
    assert "Not eligible for trade-in" in text
    # No setting: the estimator page on the shop named by the session token's `dest`.
    assert 'href="https://tesmart-us.myshopify.com/pages/trade-in"' in page


def test_devices_page_uses_the_configured_trade_in_page(
    smoke: dict[str, dict[str, Any]],
) -> None:
    assert (
        'href="https://tesmart.com/pages/recycle"' in smoke["devices_page_configured_link"]["html"]
    )


def test_devices_page_empty_and_error_states(smoke: dict[str, dict[str, Any]]) -> None:
    assert "No registered devices yet." in smoke["devices_page_empty"]["text"]
    failed = smoke["devices_page_error"]
    assert '<s-banner tone="critical">' in failed["html"]
    assert "We couldn't load your devices right now." in failed["text"]
