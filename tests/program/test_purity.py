"""``plugin/program`` holds the rules and nothing else (CONVENTIONS.md): no Flask, no database, no
clock, no I/O, frozen data."""

import ast
import dataclasses
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import plugin.program

PACKAGE_DIR = Path(plugin.program.__file__).parent
MODULES = sorted(p for p in PACKAGE_DIR.rglob("*.py"))  # and its subpackages (benefits/)
FORBIDDEN_IMPORTS = {
    "flask",
    "sqlalchemy",
    "flask_sqlalchemy",
    "httpx",
    "requests",
    "os",
    "pathlib",
    "time",
    "random",
    "socket",
    "shopify",
    "redis",
    "rq",
}
CLOCK_CALLS = {"today", "now", "utcnow"}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE_DIR)))
def test_no_framework_database_or_io_imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots = {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            roots = {(node.module or "").split(".")[0]}
        else:
            continue
        assert not roots & FORBIDDEN_IMPORTS, f"{path.name} imports {roots & FORBIDDEN_IMPORTS}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE_DIR)))
def test_no_clock_and_no_files(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute):
                assert func.attr not in CLOCK_CALLS, f"{path.name} reads the clock"
            if isinstance(func, ast.Name):
                assert func.id != "open", f"{path.name} opens a file"


def test_no_junk_drawer_modules():
    names = {p.stem for p in MODULES}
    assert not names & {"utils", "helpers", "helper", "manager", "misc", "common"}


def _program_dataclasses():
    for info in pkgutil.walk_packages(plugin.program.__path__, "plugin.program."):
        module = importlib.import_module(info.name)
        for _, obj in inspect.getmembers(module, dataclasses.is_dataclass):
            if inspect.isclass(obj) and obj.__module__ == module.__name__:
                yield obj


@pytest.mark.parametrize("cls", list(_program_dataclasses()), ids=lambda c: c.__name__)
def test_rule_data_is_frozen(cls):
    assert cls.__dataclass_params__.frozen, f"{cls.__name__} is not frozen"
