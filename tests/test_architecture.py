"""Data flows one way: submissions → review → publishing. An app imports from the ones
before it, never from the ones after it; shared helpers live in kotolupaus/; migrations
carry frozen data instead of importing live code."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ORDER = ["submissions", "review", "publishing"]


def imported_modules(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def python_files(app):
    return [p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts]


@pytest.mark.parametrize("app", ORDER)
def test_an_app_never_imports_the_apps_after_it(app):
    later = ORDER[ORDER.index(app) + 1 :]
    wrong = sorted(
        f"{path.relative_to(ROOT)} imports {module}"
        for path in python_files(app)
        for module in imported_modules(path)
        if module.split(".")[0] in later
    )
    assert wrong == []


def test_the_shared_layer_imports_no_app_views():
    """(The URL configuration wires the views together; that is its job.)"""
    wrong = sorted(
        f"{path.relative_to(ROOT)} imports {module}"
        for path in (ROOT / "kotolupaus").rglob("*.py")
        if "migrations" not in path.parts and path.name != "urls.py"
        for module in imported_modules(path)
        if module.split(".")[0] in ORDER and module.endswith("views")
    )
    assert wrong == []


def test_no_app_imports_another_apps_views():
    wrong = sorted(
        f"{path.relative_to(ROOT)} imports {module}"
        for app in ORDER
        for path in python_files(app)
        for module in imported_modules(path)
        if module.split(".")[0] in ORDER
        and module.split(".")[0] != app
        and module.split(".")[-1] == "views"
    )
    assert wrong == []


def test_migrations_import_no_live_code_of_the_apps():
    """(Field validators are referenced by their import path, as Django writes them.)"""
    wrong = sorted(
        f"{path.relative_to(ROOT)} imports {module}"
        for app in [*ORDER, "kotolupaus"]
        for path in (ROOT / app / "migrations").glob("*.py")
        for module in imported_modules(path)
        if module.split(".")[0] in [*ORDER, "kotolupaus"] and not module.endswith(".validators")
    )
    assert wrong == []
