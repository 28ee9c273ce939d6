"""Code that a Celery task or a CLI command can run never needs a request.

Services and models never read the request, the session or the logged-in user: the caller says who acts
(`acting_as`, `lifecycle.web_audit`). And they translate lazily, or inside `force_locale`.

An eager `gettext` there asks the locale selector for the request's language when there is no request:
it used to crash the worker, and even now that the selector falls back it would write in the default
language rather than the recipient's. A lazy string is translated where it is shown; e-mails and
calendar feeds translate eagerly only inside `with force_locale(<recipient's language>)`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import force_locale
from flask_babel import gettext

from lifecycle.i18n import select_locale
from tests.conftest import REPO_ROOT

EAGER = {"gettext", "ngettext", "pgettext", "npgettext"}
# Code that runs in tasks and commands as well as in requests.
OUTSIDE_REQUESTS = [
    "lifecycle/services",
    "lifecycle/models",
    "lifecycle/tasks.py",
    "lifecycle/mail.py",
    "lifecycle/notifications.py",
    "lifecycle/cli.py",
    "worker",
]


def _eager_names(tree: ast.Module) -> set[str]:
    """Return the local names bound to flask_babel's eager translation functions in this module."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "flask_babel":
            names.update(alias.asname or alias.name for alias in node.names if alias.name in EAGER)
    return names


def _is_force_locale(item: ast.withitem) -> bool:
    call = item.context_expr
    return (
        isinstance(call, ast.Call)
        and getattr(call.func, "id", getattr(call.func, "attr", None)) == "force_locale"
    )


def _covered_nodes(tree: ast.Module) -> set[int]:
    """Return the ids of the nodes that only ever run inside `force_locale`.

    That is what is lexically inside a `with force_locale(...)` block, and the body of every module-level
    function that is called only from such places (a rendering helper), found to a fixed point.
    """
    covered: set[int] = set()

    def cover(node: ast.AST) -> None:
        covered.update(id(child) for child in ast.walk(node))

    for node in ast.walk(tree):
        if isinstance(node, ast.With) and any(_is_force_locale(item) for item in node.items):
            for statement in node.body:
                cover(statement)
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    calls: dict[str, list[ast.AST]] = {name: [] for name in functions}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in calls and isinstance(node.ctx, ast.Load):
            calls[node.id].append(node)
    changed = True
    while changed:
        changed = False
        for name, function in functions.items():
            uses = calls[name]
            if id(function) not in covered and uses and all(id(use) in covered for use in uses):
                cover(function)
                changed = True
    return covered


def eager_calls_outside_force_locale(source: str) -> list[int]:
    """Return the line numbers of eager gettext calls that can run outside `force_locale`."""
    tree = ast.parse(source)
    eager = _eager_names(tree)
    covered = _covered_nodes(tree)
    return sorted(
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in eager
        and id(node) not in covered
    )


def _python_files() -> list[Path]:
    files: list[Path] = []
    for entry in OUTSIDE_REQUESTS:
        path = REPO_ROOT / entry
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return files


@pytest.mark.parametrize("path", _python_files(), ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_code_that_runs_in_tasks_translates_lazily(path: Path) -> None:
    lines = eager_calls_outside_force_locale(path.read_text(encoding="utf-8"))
    assert not lines, f"eager gettext outside force_locale in {path.relative_to(REPO_ROOT)} at lines {lines}"


def test_the_check_finds_an_eager_call_and_accepts_one_in_force_locale() -> None:
    source = (
        "from flask_babel import gettext as _, force_locale\n"
        "def bad():\n    return _('x')\n"
        "def good():\n    with force_locale('en_GB'):\n        return _('x') + helper()\n"
        "def helper():\n    return _('only called inside force_locale')\n"
        "def shared():\n    return _('also called outside')\n"
        "def render():\n    with force_locale('sv'):\n        return shared()\n"
        "def page():\n    return shared()\n"
    )
    assert eager_calls_outside_force_locale(source) == [3, 10]


def test_the_locale_selector_works_without_a_request(app: Flask) -> None:
    """A task has an application context and no request: it gets the default language, not a crash."""
    with app.app_context():
        assert select_locale() == "sv"
        with force_locale("en_GB"):
            assert gettext("Development review") == "Development review"
        with force_locale("sv"):
            assert gettext("Development review") == "Utvecklingssamtal"


REQUEST_STATE = {("flask", "request"), ("flask", "session"), ("flask", "g"), ("flask_login", "current_user")}


def request_state_imports(source: str) -> list[str]:
    """Return what the module imports of the request's state (request, session, g, current_user)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module in {"flask", "flask_login"}:
            found += [a.name for a in node.names if (node.module, a.name) in REQUEST_STATE]
    return found


@pytest.mark.parametrize(
    "path",
    sorted((REPO_ROOT / "lifecycle/services").rglob("*.py"))
    + sorted((REPO_ROOT / "lifecycle/models").rglob("*.py")),
    ids=lambda p: str(p.relative_to(REPO_ROOT)),
)
def test_services_and_models_never_read_the_request(path: Path) -> None:
    assert request_state_imports(path.read_text(encoding="utf-8")) == []


def test_the_request_check_finds_current_user() -> None:
    assert request_state_imports("from flask_login import current_user\nfrom flask import url_for") == [
        "current_user"
    ]
