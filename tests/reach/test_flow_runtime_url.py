"""The Flow action's runtime_url comes from APP_URL, like the UI extensions' backend URL: the
extension build writes it, a deploy check refuses the placeholder, and Shopify CLI (the npm
package, run with no network) accepts the Flow extensions and refuses a runtime_url it cannot
call."""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXTENSIONS = ROOT / "extensions"
NODE = shutil.which("node")
SHOPIFY = ROOT / "node_modules" / ".bin" / "shopify"
ACTION = "flow-adjust-points"
PATH = "/integrations/flow/adjust-points"

pytestmark = [
    pytest.mark.skipif(NODE is None, reason="node is not installed"),
    pytest.mark.slow,  # Shopify CLI and node builds (tests/conftest.py runs slow modules first)
]


def _app_copy(tmp_path: Path, *, ui: bool = False) -> Path:
    """The app's toml files and the Flow extensions (and build.mjs) in a scratch directory."""
    app = tmp_path / "app"
    (app / "extensions").mkdir(parents=True)
    shutil.copy(ROOT / "shopify.app.toml", app / "shopify.app.toml")
    shutil.copy(ROOT / "package.json", app / "package.json")
    shutil.copy(EXTENSIONS / "build.mjs", app / "extensions" / "build.mjs")
    for directory in EXTENSIONS.glob("flow-*"):
        shutil.copytree(directory, app / "extensions" / directory.name)
    (app / "node_modules").symlink_to(ROOT / "node_modules")
    return app


def _node(app: Path, *args: str, app_url: str | None) -> subprocess.CompletedProcess[str]:
    assert NODE is not None
    env = {k: v for k, v in os.environ.items() if k != "APP_URL"}
    if app_url is not None:
        env["APP_URL"] = app_url
    return subprocess.run(
        [NODE, "extensions/build.mjs", "--dotenv", str(app / "missing.env"), *args],
        cwd=app,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _runtime_url(toml: Path) -> str:
    [extension] = tomllib.loads(toml.read_text("utf-8"))["extensions"]
    return extension["runtime_url"]


def test_the_committed_runtime_url_is_a_placeholder_the_deploy_check_refuses(
    tmp_path: Path,
) -> None:
    app = _app_copy(tmp_path)
    result = _node(app, "--check-deploy", app_url="https://members.tesmart-shop.com")
    assert result.returncode == 1
    assert "placeholder" in result.stderr and ACTION in result.stderr


def test_the_build_writes_app_url_into_the_runtime_url_and_the_check_then_passes(
    tmp_path: Path,
) -> None:
    app = _app_copy(tmp_path)
    toml = app / "extensions" / ACTION / "shopify.extension.toml"
    before = toml.read_text("utf-8")
    built = _node(app, app_url="https://members.tesmart-shop.com/")
    # No UI extension in this copy: the bundling step has nothing to do and says so (exit 1),
    # but the runtime_url is written first.
    assert _runtime_url(toml) == f"https://members.tesmart-shop.com{PATH}", built.stderr
    after = toml.read_text("utf-8")
    assert [a for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b] == [
        line for line in before.splitlines() if line.startswith("runtime_url")
    ], "only the runtime_url line changes"
    checked = _node(app, "--check-deploy", app_url="https://members.tesmart-shop.com")
    assert checked.returncode == 0, checked.stderr
    # Another deployment's URL (APP_URL changed since the build) is refused as well.
    other = _node(app, "--check-deploy", app_url="https://loyalty.tesmart-shop.com")
    assert other.returncode == 1 and "not APP_URL's endpoint" in other.stderr


def test_an_http_app_url_cannot_be_deployed_as_a_flow_runtime_url(tmp_path: Path) -> None:
    app = _app_copy(tmp_path)
    _node(app, app_url="http://members.tesmart-shop.com")
    result = _node(app, "--check-deploy", app_url="http://members.tesmart-shop.com")
    assert result.returncode == 1 and "must be https" in result.stderr


def test_the_build_under_outdir_leaves_the_committed_toml_alone(tmp_path: Path) -> None:
    app = _app_copy(tmp_path)
    toml = app / "extensions" / ACTION / "shopify.extension.toml"
    before = toml.read_text("utf-8")
    _node(app, "--outdir", str(tmp_path / "out"), app_url="https://members.tesmart-shop.com")
    assert toml.read_text("utf-8") == before
    assert (
        _runtime_url(tmp_path / "out" / ACTION / "shopify.extension.toml")
        == f"https://members.tesmart-shop.com{PATH}"
    )


def _offline(command: list[str]) -> list[str]:
    """The command in a network namespace of its own (no network at all), where the kernel allows
    it."""
    unshare = shutil.which("unshare")
    if (
        unshare
        and subprocess.run([unshare, "-rn", "true"], capture_output=True, check=False).returncode
        == 0
    ):
        return [unshare, "-rn", *command]
    pytest.skip("cannot run without network here (unshare -rn is not allowed)")


def _shopify_app_build(app: Path) -> subprocess.CompletedProcess[str]:
    if not SHOPIFY.exists():
        pytest.skip("@shopify/cli is not installed (npm ci)")
    env = {**os.environ, "SHOPIFY_CLI_NO_ANALYTICS": "1", "NO_COLOR": "1"}
    return subprocess.run(
        _offline(
            [str(SHOPIFY), "app", "build", "--skip-dependencies-installation", "--path", str(app)]
        ),
        cwd=app,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_shopify_app_build_accepts_the_flow_extensions_offline(tmp_path: Path) -> None:
    app = _app_copy(tmp_path)
    _node(app, app_url="https://members.tesmart-shop.com")
    result = _shopify_app_build(app)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "built!" in result.stdout + result.stderr


def test_shopify_app_build_refuses_a_runtime_url_flow_cannot_call(tmp_path: Path) -> None:
    # The check is real: Shopify CLI's schema wants an https runtime_url.
    app = _app_copy(tmp_path)
    _node(app, app_url="http://members.tesmart-shop.com")
    result = _shopify_app_build(app)
    assert result.returncode != 0
    assert "runtime_url" in result.stdout + result.stderr
