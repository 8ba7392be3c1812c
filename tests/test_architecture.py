"""The layers run one way: kotolupaus ← submissions ← review ← publishing. A package
imports only from the ones before it; the shared layer (kotolupaus/) imports no app, and
what it needs from one is registered into it at start-up. Migrations carry frozen data
instead of importing live code. Modules stay short enough to read in a sitting."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["kotolupaus", "submissions", "review", "publishing"]
APPS = LAYERS[1:]
# The URL configuration wires the apps' views together: that is its job.
COMPOSITION_ROOT = {"kotolupaus/urls.py"}
# Written by a tool (python -m kotolupaus.secret_key), not by hand.
GENERATED = {"kotolupaus/published_keys.py"}
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 50


def imported_modules(path, root=ROOT):
    """Every module a file imports, at its top or inside a function; relative imports
    are resolved against the file's package."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = path.relative_to(root).parent.parts
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                yield node.module
            else:
                base = package[: len(package) - node.level + 1]
                yield ".".join([*base, *([node.module] if node.module else [])])


def python_files(root, package):
    return [path for path in (root / package).rglob("*.py") if "migrations" not in path.parts]


def wrong_imports(root):
    """Imports against the layers: "path imports module" for each."""
    wrong = []
    for package in LAYERS:
        allowed = set(LAYERS[: LAYERS.index(package) + 1])
        for path in python_files(root, package):
            name = path.relative_to(root).as_posix()
            if name in COMPOSITION_ROOT:
                continue
            for module in imported_modules(path, root):
                top = module.split(".")[0]
                if top in LAYERS and top not in allowed:
                    wrong.append(f"{name} imports {module}")
    return sorted(wrong)


def test_every_import_between_packages_runs_down_the_layers():
    assert wrong_imports(ROOT) == []


@pytest.mark.parametrize(
    ("path", "source"),
    [
        ("kotolupaus/helpers.py", "from submissions.models import Entry\n"),
        ("kotolupaus/helpers.py", "def f():\n    import review.services\n"),
        ("submissions/things.py", "from publishing import read_model\n"),
        ("review/things/deep.py", "from publishing.models import PublicEntry\n"),
        ("kotolupaus/things/deep.py", "from ...submissions import models\n"),
    ],
)
def test_a_wrong_import_in_a_new_module_is_caught(tmp_path, path, source):
    for package in LAYERS:
        (tmp_path / package).mkdir()
    (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / path).write_text(source)

    assert len(wrong_imports(tmp_path)) == 1


def test_an_import_down_the_layers_is_allowed(tmp_path):
    for package in LAYERS:
        (tmp_path / package).mkdir()
    (tmp_path / "publishing" / "things.py").write_text(
        "from kotolupaus import mail\nfrom submissions.models import Entry\nfrom review import audit\n"
    )
    (tmp_path / "review" / "things.py").write_text("from .models import Review\n")

    assert wrong_imports(tmp_path) == []


def test_no_app_imports_another_apps_views():
    wrong = sorted(
        f"{path.relative_to(ROOT)} imports {module}"
        for app in APPS
        for path in python_files(ROOT, app)
        for module in imported_modules(path)
        if module.split(".")[0] in APPS
        and module.split(".")[0] != app
        and module.split(".")[-1] == "views"
    )
    assert wrong == []


def test_migrations_import_no_live_code_of_the_apps():
    """(Field validators are referenced by their import path, as Django writes them.)"""
    wrong = sorted(
        f"{path.relative_to(ROOT)} imports {module}"
        for package in LAYERS
        for path in (ROOT / package / "migrations").glob("*.py")
        for module in imported_modules(path)
        if module.split(".")[0] in LAYERS and not module.endswith(".validators")
    )
    assert wrong == []


def test_no_module_is_longer_than_one_sitting():
    long = sorted(
        f"{path.relative_to(ROOT)}: {lines} lines"
        for package in LAYERS
        for path in python_files(ROOT, package)
        if path.relative_to(ROOT).as_posix() not in GENERATED
        and (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    )
    assert long == []


def function_lines(function):
    """A function's length without its signature, decorators and docstring."""
    body = function.body
    if (
        len(body) > 1
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    ):
        body = body[1:]
    return function.end_lineno - body[0].lineno + 1


def views_and_services():
    for package in APPS:
        for path in python_files(ROOT, package):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if any(part in ("views", "services", "staff_views") for part in parts):
                yield path


def test_no_view_or_service_function_is_longer_than_a_screen():
    long = sorted(
        f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {function_lines(node)} lines"
        for path in views_and_services()
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and function_lines(node) > MAX_FUNCTION_LINES
    )
    assert long == []


def test_the_length_rule_sees_views_and_services():
    """(A test of the test: the rule reads the files it is about.)"""
    names = {path.relative_to(ROOT).as_posix() for path in views_and_services()}
    assert {
        "submissions/views/entry_form.py",
        "submissions/services/entries.py",
        "review/services/decisions.py",
        "review/views/scoring.py",
        "publishing/views.py",
        "publishing/services.py",
        "publishing/staff_views.py",
    } <= names


# kotolupaus' migrations up to this one were written while Message.entry was a foreign
# key to submissions.Entry, and depend on submissions' migrations; the later ones may not.
LAST_KOTOLUPAUS_MIGRATION_ON_APPS = 8


def test_no_model_of_the_shared_layer_relates_to_an_app_model():
    """The shared layer's models name app rows by id only (Message.entry_id): no foreign
    key, many-to-many or one-to-one from them to a model of an app."""
    from django.apps import apps

    relations = [
        f"{model.__name__}.{field.name} -> {field.related_model._meta.label}"
        for model in apps.get_app_config("kotolupaus").get_models()
        for field in model._meta.get_fields()
        if field.is_relation
        and not field.auto_created
        and field.related_model is not None
        and field.related_model._meta.app_label in APPS
    ]

    assert relations == []


def test_the_message_names_its_entry_by_id():
    from django.db import models

    from kotolupaus.models import Message
    from submissions.models import Entry

    field = Message._meta.get_field("entry_id")

    assert type(field) is models.BigIntegerField and not field.is_relation
    assert field.null and field.db_index
    # The column of the former foreign key: no data moved.
    assert field.column == "entry_id" and Message._meta.db_table == "kotolupaus_message"
    assert not hasattr(Entry, "messages")


def test_new_migrations_of_the_shared_layer_depend_on_no_app():
    from django.db.migrations.loader import MigrationLoader

    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    new = [
        key
        for key in graph.nodes
        if key[0] == "kotolupaus" and int(key[1][:4]) > LAST_KOTOLUPAUS_MIGRATION_ON_APPS
    ]
    wrong = [
        f"{name} depends on {app}.{dependency}"
        for key in new
        for name in [key[1]]
        for app, dependency in graph.nodes[key].dependencies
        if app in APPS
    ]

    assert ("kotolupaus", "0009_message_entry_id_without_foreign_key") in new
    assert wrong == []
