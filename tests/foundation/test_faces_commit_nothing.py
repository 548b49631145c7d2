"""Views and decorators never commit: the services they call own their units of work
(``plugin.database.transaction``). A face that wrote and committed by itself would keep half of a
change when the service it calls next refuses."""

from __future__ import annotations

import ast
from pathlib import Path

PLUGIN = Path(__file__).resolve().parents[2] / "plugin"
# The request faces: their views, their decorators and what builds a request's context.
FACES = ("storefront", "admin", "extension_api", "integrations")
# Services that live beside a face's views and own their unit of work like any other service.
SERVICES = {"admin/install.py", "integrations/secret.py"}


def _face_modules() -> list[Path]:
    modules = [path for face in FACES for path in sorted((PLUGIN / face).rglob("*.py"))]
    return [path for path in modules if str(path.relative_to(PLUGIN)) not in SERVICES]


def _commits(path: Path, root: Path = PLUGIN) -> list[str]:
    """Every ``<anything>.commit()`` call and every ``unit_of_work`` named in the module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        called = node.func if isinstance(node, ast.Call) else None
        if isinstance(called, ast.Attribute) and called.attr in ("commit", "commit_keeping_loaded"):
            found.append(f"{path.relative_to(root)}:{node.lineno} .{called.attr}()")
        if isinstance(node, ast.Name | ast.alias) and "unit_of_work" in (
            getattr(node, "id", None) or getattr(node, "name", "")
        ):
            found.append(f"{path.relative_to(root)}:{getattr(node, 'lineno', 0)} unit_of_work")
    return found


def test_the_faces_are_where_the_check_looks() -> None:
    names = {str(path.relative_to(PLUGIN)) for path in _face_modules()}
    assert "storefront/context.py" in names  # the app proxy's auth decorator
    assert "admin/context.py" in names  # the admin's
    assert any(name.startswith("admin/views/") for name in names)
    assert "extension_api/checkout.py" in names


def test_no_view_or_decorator_commits() -> None:
    found = [hit for path in _face_modules() for hit in _commits(path)]
    assert found == []


def test_the_check_sees_a_commit_and_a_unit_of_work(tmp_path: Path) -> None:
    view = tmp_path / "view.py"
    view.write_text(
        "from plugin.extensions import db\n"
        "from plugin.database.transaction import unit_of_work\n"
        "def v():\n"
        "    db.session.commit()\n"
    )
    assert _commits(view, tmp_path) == ["view.py:2 unit_of_work", "view.py:4 .commit()"]
