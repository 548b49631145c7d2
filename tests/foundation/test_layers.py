"""The layers hold (docs/architecture.md): the import contracts in pyproject.toml are kept, a
violating import breaks them, no import cycle is left among our modules, and no folder of code
holds more than 20 modules."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("plugin", "webhooks")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
MAX_MODULES_PER_FOLDER = 20


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_import_contracts_are_kept() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _copy_of_the_code(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("__pycache__", "templates", "static", "*.graphql"),
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _lint_with_import(
    tmp_path: Path, module: str, statement: str
) -> subprocess.CompletedProcess[str]:
    """import-linter's verdict on a copy of the code where ``module`` (a path) gains
    ``statement``."""
    copy = _copy_of_the_code(tmp_path)
    target = copy / module
    target.write_text(target.read_text() + f"\n{statement}  # noqa\n")
    return _lint_imports(copy)


def test_a_domain_module_importing_the_jobs_breaks_the_layers(tmp_path: Path) -> None:
    result = _lint_with_import(tmp_path, "plugin/ledger.py", "from plugin.jobs import queue")
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert "plugin.ledger -> plugin.jobs.queue" in result.stdout


def test_the_domain_order_has_no_exceptions() -> None:
    """The layers contract lists no ignored imports: every domain package imports only the ones
    below it, with no call against the order let through."""
    import tomllib

    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = next(c for c in contracts["contracts"] if c["id"] == "layers")
    assert layers.get("ignore_imports", []) == []


def test_a_lower_domain_module_importing_a_higher_one_breaks_the_layers(tmp_path: Path) -> None:
    result = _lint_with_import(tmp_path, "plugin/accounts.py", "from plugin.points import orders")
    assert result.returncode != 0
    assert "plugin.accounts -> plugin.points.orders" in result.stdout


def test_production_code_importing_the_demo_breaks_its_contract(tmp_path: Path) -> None:
    result = _lint_with_import(tmp_path, "webhooks/receiver.py", "from plugin.devtools import demo")
    assert result.returncode != 0
    assert "webhooks.receiver -> plugin.devtools.demo" in result.stdout


def cycles(imports: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in imports.get(module, ()):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(imports):
        if module not in index:
            visit(module)
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": ["b"], "b": ["c"], "c": ["a", "d"], "d": []}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": ["b"], "b": []}) == []


def test_no_import_cycle_among_our_modules() -> None:
    # Every import counts, those written inside a function too (grimp reads them all).
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    imports = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    assert cycles(imports) == []


def test_no_folder_of_code_holds_more_than_20_modules() -> None:
    crowded = {}
    for package in (*PACKAGES, "benchmarks"):
        for folder in [ROOT / package, *(p for p in (ROOT / package).rglob("*") if p.is_dir())]:
            count = len(list(folder.glob("*.py")))
            if count > MAX_MODULES_PER_FOLDER:
                crowded[str(folder.relative_to(ROOT))] = count
    assert crowded == {}
