"""Views parse, authorise, call one function and render: every write goes through the app's services, where the
rules, the history's user and the dates are kept. This reads each view module's source (``ast``) and fails on
any call that writes a row: ``.save()``, ``.update()``, ``.delete()``, ``.create()``, ``bulk_create`` and the
like, on a model, a queryset, a form or a related manager. There is no list of exceptions: a dictionary is
merged with ``|``/``|=`` in a view, so a call named ``update`` is always a write.

A view module is one named ``views.py`` or ``*_views.py``, or one that imports Django's view classes
(``django.views``, ``django.contrib.auth.views``), as the password-reset pages in ``gapmonitor.accounts`` do.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.test_architecture import module_files

WRITES = {
    "save",
    "save_m2m",
    "update",
    "delete",
    "create",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
    "add",
    "remove",
    "set",
    "clear",
}
VIEW_IMPORTS = ("django.views", "django.contrib.auth.views")


def _imports_views(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        if any(name == prefix or name.startswith(prefix + ".") for name in names for prefix in VIEW_IMPORTS):
            return True
    return False


def view_modules() -> dict[str, Path]:
    out = {}
    for name, path in module_files().items():
        if path.name == "views.py" or path.name.endswith("_views.py"):
            out[name] = path
        elif _imports_views(ast.parse(path.read_text(encoding="utf-8"))):
            out[name] = path
    return out


def direct_writes(source: str) -> list[str]:
    """``line: call`` for every call in ``source`` whose name is a write."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WRITES:
            found.append(f"{node.lineno}: {ast.unparse(node.func)}(…)")
    return found


def test_the_reader_finds_writes_on_forms_querysets_and_related_managers():
    source = """
def edit(request, plan):
    form.save()
    obj = form.save(commit=False)
    Plan.objects.filter(pk=1).update(status="closed")
    plan.targets.create(title="x")
    Result.objects.bulk_create(rows)
    action.schools.add(school)
    context.update(a=1)
    context |= {"a": 1}
    return render(request, "x.html", context)
"""
    assert [line.split(":")[0] for line in direct_writes(source)] == ["3", "4", "5", "6", "7", "8", "9"]


def test_the_view_modules_are_found():
    names = set(view_modules())
    assert {
        "gapmonitor.views",
        "gapmonitor.accounts",
        "schools.views",
        "schools.imports.views",
        "strategy.views",
        "strategy.visit_views",
        "ragboard.views",
        "reports.views",
        "feed.views",
    } <= names


@pytest.mark.parametrize("name", sorted(view_modules()))
def test_no_view_writes_directly(name):
    writes = direct_writes(view_modules()[name].read_text(encoding="utf-8"))
    assert not writes, f"{name} writes without a service: " + "; ".join(writes)
