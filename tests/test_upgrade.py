"""Upgrade paths, for real: a service rendered at every recorded release (the sets tagged
``upgrade`` in matrix.py: one per framework plus Celery) and committed, then updated to the
working tree with Renovate's flags (`--defaults --skip-answered`), without `--trust` from 0.3.0 on.

- untouched: no conflict, no `.rej`, and the same bytes as a fresh render of the same answers;
- touched the way teams touch a service (a new module wired into the routes, a dependency, the
  README and a setting): no conflict outside the files the team edited, every edit kept, the
  same bytes when the update runs twice from the same state, and (once per answer set, from the
  oldest release that offers it) the updated service's own tests pass.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from copier.errors import UnsafeTemplateError
from helpers import child_env, database_url_scheme, describe, fresh_database, git, render, run
from history import (
    Release,
    by_version,
    commit_all,
    conflicts,
    needs_trust,
    recorded_answers,
    releases,
    render_at,
    template_with_history,
    tree,
    update,
)
from matrix import AnswerSet, tagged

pytestmark = pytest.mark.update

PACKAGE = "acme_orders"  # from the project name every set but the golden ones shares (matrix.BASE)


def paths() -> list[Any]:
    cases = []
    for release in releases():
        for upgrade_set in tagged("upgrade"):
            if release.key >= by_version(upgrade_set.since).key:
                name = f"{release.version}-{upgrade_set.name}"
                group = pytest.mark.xdist_group(name)
                cases.append(pytest.param(release, upgrade_set, id=name, marks=group))
    return cases


# --------------------------------------------------------------------------- the team's edits

# The team's own module, per framework, and a test of it through the project's `client` fixture.
MODULES: dict[str, str] = {
    "fastapi": '''"""Widgets: the team's own resource."""

from fastapi import APIRouter

router = APIRouter(prefix="/widgets", tags=["widgets"])


@router.get("")
def list_widgets() -> list[str]:
    return ["sprocket"]
''',
    "litestar": '''"""Widgets: the team's own resource."""

from litestar import get


@get("/widgets", sync_to_thread=False)
def list_widgets() -> list[str]:
    return ["sprocket"]
''',
    "flask": '''"""Widgets: the team's own resource."""

from flask import Blueprint

bp = Blueprint("widgets", __name__, url_prefix="/widgets")


@bp.get("")
def list_widgets() -> list[str]:
    return ["sprocket"]
''',
    "django": '''"""Widgets: the team's own resource."""

from django.http import HttpRequest, JsonResponse


def list_widgets(request: HttpRequest) -> JsonResponse:
    return JsonResponse(["sprocket"], safe=False)
''',
}
ASYNC_TEST = """import pytest
from httpx import AsyncClient

pytestmark = pytest.mark.anyio


async def test_widgets_are_listed(client: AsyncClient) -> None:
    response = await client.get("/widgets")
    assert response.status_code == 200
    assert response.json() == ["sprocket"]
"""
FLASK_TEST = """from flask.testing import FlaskClient


def test_widgets_are_listed(client: FlaskClient) -> None:
    response = client.get("/widgets")
    assert response.status_code == 200
    assert response.get_json() == ["sprocket"]
"""
DJANGO_TEST = """import pytest
from django.test import Client


@pytest.mark.django_db  # ATOMIC_REQUESTS: every view runs in a transaction
def test_widgets_are_listed(client: Client) -> None:
    response = client.get("/widgets")
    assert response.status_code == 200
    assert response.json() == ["sprocket"]
"""
TESTS = {"fastapi": ASYNC_TEST, "litestar": ASYNC_TEST, "flask": FLASK_TEST, "django": DJANGO_TEST}

# Where each framework wires a module in: (file, line to insert after, line inserted), tried in
# order; the include_router form is FastAPI's routes.py up to 0.2.0.
WIRING: dict[str, list[tuple[str, str, str]]] = {
    "fastapi": [
        (f"src/{PACKAGE}/routes.py", "from .items.router import router as items_router",
         "from .widgets import router as widgets_router"),
        (f"src/{PACKAGE}/routes.py", "    items_router,", "    widgets_router,"),
        (f"src/{PACKAGE}/routes.py", "api_router.include_router(items_router)",
         "api_router.include_router(widgets_router)"),
    ],
    "litestar": [
        (f"src/{PACKAGE}/routes.py", "from .items.controller import ItemController",
         "from .widgets import list_widgets"),
        (f"src/{PACKAGE}/routes.py", "    ItemController,", "    list_widgets,"),
    ],
    "flask": [
        (f"src/{PACKAGE}/routes.py", "from .items.views import bp as items_bp",
         "from .widgets import bp as widgets_bp"),
        (f"src/{PACKAGE}/routes.py", "    app.register_blueprint(items_bp)",
         "    app.register_blueprint(widgets_bp)"),
        # since the blueprints are flask-openapi's, registered with register_api (after 0.3.0)
        (f"src/{PACKAGE}/routes.py", "    app.register_api(items_bp)",
         "    app.register_blueprint(widgets_bp)"),
    ],
    "django": [
        ("config/urls.py", "from django.urls import URLPattern, URLResolver, include, path",
         f"\nfrom {PACKAGE}.widgets import list_widgets"),
        ("config/urls.py", '    path("", include("acme_orders.items.urls")),',
         '    path("widgets", list_widgets),'),
        # since the JSON API is Django Ninja's `api` (after 0.3.0)
        ("config/urls.py", "from django.urls import URLPattern, URLResolver, path",
         f"\nfrom {PACKAGE}.widgets import list_widgets"),
        ("config/urls.py", '    path("", api.urls),', '    path("widgets", list_widgets),'),
    ],
}  # fmt: skip

README_NOTE = "## Team notes\n\nOn call: #orders-oncall. Widgets are served at `/widgets`.\n"
SETTING = "    widgets_page_size: int = 50  # the team's own setting"
DEPENDENCY = '    "packaging>=24",'


def insert_after(path: Path, anchor: str, line: str) -> bool:
    lines = path.read_text().split("\n")
    if anchor not in lines:
        return False
    at = lines.index(anchor) + 1
    lines[at:at] = [line]
    path.write_text("\n".join(lines))
    return True


def wire(project: Path, framework: str) -> list[str]:
    """Wire the team's module in; return the lines written."""
    wired = [
        line for f, anchor, line in WIRING[framework] if insert_after(project / f, anchor, line)
    ]
    assert len(wired) >= 2, f"could not wire the module into {framework}'s routes: {wired}"
    return [line.strip() for line in wired]


def touch(project: Path, framework: str) -> dict[str, list[str]]:
    """Make the team's edits; return, per file, the lines the update must keep."""
    package = project / "src" / PACKAGE
    (package / "widgets.py").write_text(MODULES[framework])
    (project / "tests" / "test_widgets.py").write_text(TESTS[framework])
    wired = wire(project, framework)
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    block = re.search(r"^dependencies = \[\n(.*?)^\]", text, re.S | re.M)
    assert block, "pyproject.toml has no dependencies list"
    pyproject.write_text(text[: block.end(1)] + DEPENDENCY + "\n" + text[block.end(1) :])
    with (project / "README.md").open("a") as fh:
        fh.write("\n" + README_NOTE)
    assert insert_after(package / "settings.py", '    app_name: str = "Acme Orders"', SETTING)
    routes = WIRING[framework][0][0]
    return {
        f"src/{PACKAGE}/widgets.py": [MODULES[framework]],
        "tests/test_widgets.py": [TESTS[framework]],
        routes: wired,
        "pyproject.toml": [DEPENDENCY],
        "README.md": [README_NOTE],
        f"src/{PACKAGE}/settings.py": [SETTING],
    }


# Conflicts a touched update is known to leave, each with what the CHANGELOG tells the team.
# In 0.1.0 FastAPI included routers with api_router.include_router(); from 0.2.0 routes.py lists
# them in ROUTERS, each put on the app (C15): a router the team included conflicts once.
KNOWN_CONFLICTS: dict[tuple[str, str], dict[str, str]] = {
    ("0.1.0", "upgrade-fastapi"): {f"src/{PACKAGE}/routes.py": "add it to `ROUTERS`"},
    # After 0.3.0 Django's config/urls.py mounts Django Ninja's `api` instead of items/urls.py:
    # a path the team added there conflicts once.
    **{
        (version, name): {"config/urls.py": 'add your paths after `path("", api.urls)`'}
        for version in ("0.2.0", "0.3.0")
        for name in ("upgrade-django", "upgrade-django-celery")
    },
    # After 0.3.0 Flask's routes.py registers flask-openapi's blueprints with `app.register_api`:
    # a blueprint the team registered next to them conflicts once.
    **{
        (version, "upgrade-flask"): {
            f"src/{PACKAGE}/routes.py": "add your line after `app.register_api(items_bp)`"
        }
        for version in ("0.2.0", "0.3.0")
    },
}


def resolve(
    project: Path, fresh: Path, framework: str, files: dict[str, str]
) -> dict[str, list[str]]:
    """Resolve the known conflicts as the CHANGELOG says: the template's new file, with the
    team's wiring in its new shape. Return, per file, the lines the resolution wrote."""
    written: dict[str, list[str]] = {rel: [] for rel in files}
    for rel in files:
        shutil.copy2(fresh / rel, project / rel)
    for rel, anchor, line in WIRING[framework]:
        if rel in files and insert_after(project / rel, anchor, line):
            written[rel].append(line.strip())
    return written


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return template_with_history(tmp_path_factory.mktemp("history") / "plinth")


@pytest.fixture(scope="session")
def head(history: Path) -> str:
    return git(history, "rev-parse", "HEAD").strip()


@pytest.fixture(scope="session")
def service_at(
    history: Path, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[Release, AnswerSet], Path]:
    """A service rendered at a release and committed, once per (release, set) and worker."""
    cache: dict[tuple[str, str], Path] = {}

    def _service_at(release: Release, upgrade_set: AnswerSet) -> Path:
        key = (release.version, upgrade_set.name)
        if key not in cache:
            dst = tmp_path_factory.mktemp(f"at-{release.version}-{upgrade_set.name}") / "service"
            cache[key] = render_at(history, dst, release.commit, upgrade_set.data)
        return cache[key]

    return _service_at


@pytest.fixture(scope="session")
def fresh_render(
    history: Path, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[dict[str, Any]], Path]:
    """A fresh render of the working tree with the given answers, once per answers and worker."""
    cache: dict[str, Path] = {}

    def _fresh(answers: dict[str, Any]) -> Path:
        key = json.dumps(answers, sort_keys=True)
        if key not in cache:
            cache[key] = render(history, tmp_path_factory.mktemp("fresh") / "service", answers)
        return cache[key]

    return _fresh


def copy_service(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, symlinks=True)
    return dst


def update_as_renovate(project: Path, release: Release, head: str) -> None:
    """Renovate's update: no --trust where the old release has no tasks; where it has, the
    refusal is checked first (the release notes say that one update needs --trust)."""
    trust = needs_trust(release.commit)
    if trust:
        with pytest.raises(UnsafeTemplateError, match="tasks"):
            update(project, head)
        assert not git(project, "status", "--porcelain"), "a refused update wrote files"
    update(project, head, trust=trust)


# --------------------------------------------------------------------------- tests


# Files a release rendered that the working tree does not: `copier update` deletes them even when
# the team edited them, edits and all, with no conflict (docs/RULES.md C35). Each is listed with
# what the CHANGELOG tells the team; a file teams are expected to edit must never be here.
REMOVED: dict[str, str] = {
    f"src/{PACKAGE}/db.py": "Django: renamed database_url.py (it only parses DATABASE_URL)",
    f"src/{PACKAGE}/items/urls.py": "Django: the items API is a Django Ninja router (views.py)",
}


@pytest.mark.parametrize(("release", "upgrade_set"), paths())
def test_no_rendered_file_is_deleted_unannounced(
    release: Release,
    upgrade_set: AnswerSet,
    service_at: Callable[[Release, AnswerSet], Path],
    fresh_render: Callable[[dict[str, Any]], Path],
) -> None:
    old = service_at(release, upgrade_set)
    gone = set(tree(old)) - set(tree(fresh_render(recorded_answers(old))))
    unannounced = sorted(gone - set(REMOVED))
    assert not unannounced, f"an update from {release.version} deletes (edits too): {unannounced}"


@pytest.mark.parametrize(("release", "upgrade_set"), paths())
def test_untouched_update_equals_a_fresh_render(
    release: Release,
    upgrade_set: AnswerSet,
    service_at: Callable[[Release, AnswerSet], Path],
    fresh_render: Callable[[dict[str, Any]], Path],
    head: str,
    tmp_path: Path,
) -> None:
    project = copy_service(service_at(release, upgrade_set), tmp_path / "service")
    update_as_renovate(project, release, head)

    assert not conflicts(project), f"conflicts in an untouched service: {conflicts(project)}"
    answers = recorded_answers(project)
    given = recorded_answers(service_at(release, upgrade_set))
    changed = {key: value for key, value in given.items() if answers.get(key) != value}
    assert not changed, f"the update changed answers the team gave: {changed}"
    updated, expected = tree(project), tree(fresh_render(answers))
    assert sorted(updated) == sorted(expected), (
        f"only in the update: {sorted(set(updated) - set(expected))}; "
        f"only in a fresh render: {sorted(set(expected) - set(updated))}"
    )
    differing = [name for name in expected if updated[name] != expected[name]]
    assert not differing, f"the updated service differs from a fresh render in {differing}"


@pytest.mark.parametrize(("release", "upgrade_set"), paths())
def test_touched_update_keeps_the_team_edits(
    release: Release,
    upgrade_set: AnswerSet,
    service_at: Callable[[Release, AnswerSet], Path],
    fresh_render: Callable[[dict[str, Any]], Path],
    head: str,
    tmp_path: Path,
) -> None:
    state = copy_service(service_at(release, upgrade_set), tmp_path / "state")
    kept = touch(state, str(upgrade_set.data["framework"]))
    commit_all(state, "the team's edits")

    first = copy_service(state, tmp_path / "first")
    second = copy_service(state, tmp_path / "second")
    update_as_renovate(first, release, head)
    update(second, head, trust=needs_trust(release.commit))
    assert tree(first, ignore=frozenset()) == tree(second, ignore=frozenset()), (
        "two updates from the same state differ"
    )

    known = KNOWN_CONFLICTS.get((release.version, upgrade_set.name), {})
    found = conflicts(first)
    assert not [f for f in found if f not in kept], (
        f"conflicts in files the team did not touch: {found}"
    )
    assert found == sorted(known), (
        f"conflicts in the team's files: {found}, expected {sorted(known)}"
    )
    fresh = fresh_render(recorded_answers(first))
    kept.update(resolve(first, fresh, str(upgrade_set.data["framework"]), known))
    for rel, lines in kept.items():
        text = (first / rel).read_text()
        lost = [line for line in lines if line not in text]
        assert not lost, f"the update lost the team's edit in {rel}: {lost}"
    untouched = {rel: data for rel, data in tree(fresh).items() if rel not in kept}
    updated = tree(first)
    differing = [rel for rel, data in untouched.items() if updated.get(rel) != data]
    assert not differing, f"files the team did not touch differ from a fresh render: {differing}"

    if release.version == upgrade_set.since:  # the service's own tests, once per set
        run_service_tests(first, str(upgrade_set.data["database"]))


def run_service_tests(project: Path, database: str) -> None:
    proc = run(["uv", "sync"], cwd=project, env=child_env())
    assert proc.returncode == 0, describe(proc)
    scheme = database_url_scheme(project)
    offline = database in {"none", "sqlite"}
    with contextlib.nullcontext(None) if offline else fresh_database(database, scheme) as url:
        extra = {"DATABASE_URL": url} if url else {}
        pytest_cmd = ["uv", "run", "pytest", "-q", "-rA", "-p", "no:cacheprovider"]
        proc = run(pytest_cmd, project, child_env(**extra))
    assert proc.returncode == 0, describe(proc)
    assert "PASSED tests/test_widgets.py::test_widgets_are_listed" in proc.stdout, describe(proc)
