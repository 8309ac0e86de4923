"""The template tree reads as a tree: framework code in framework folders, every other optional
file listed once in copier.yml's `_exclude` block (issue 15), and Copier still deletes a feature's
files when an update turns the feature off."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import copier
import pytest
from helpers import REPO_ROOT, git, render
from matrix import AnswerSet, params, tagged

TEMPLATE = REPO_ROOT / "template"
CONDITION = re.compile(r"\{%.*?%\}")
# The framework folders, and the two shared by several frameworks (ASGI frameworks; SQLAlchemy,
# i.e. every framework but Django). Anything else optional belongs in `_exclude`.
PATH_CONDITIONS = {
    "{% if framework == 'fastapi' %}",
    "{% if framework == 'flask' %}",
    "{% if framework == 'litestar' %}",
    "{% if framework == 'django' %}",
    "{% if framework in ['fastapi', 'litestar'] %}",
    "{% if framework != 'django' %}",
}


def template_paths() -> list[str]:
    return sorted(p.relative_to(TEMPLATE).as_posix() for p in TEMPLATE.rglob("*") if p.is_file())


def test_paths_carry_only_framework_conditions() -> None:
    found = {cond for path in template_paths() for cond in CONDITION.findall(path)}
    found.discard("{% endif %}")
    outside = found - PATH_CONDITIONS
    assert not outside, f"conditions in names outside framework folders: {outside}"


def test_paths_stay_short() -> None:
    long = [path for path in template_paths() if len(path) > 100]
    assert not long, long


def test_no_empty_template_folders() -> None:
    """An empty folder with a condition in its name would still render as an empty folder."""
    empty = [p for p in TEMPLATE.rglob("*") if p.is_dir() and not any(p.iterdir())]
    assert not empty, empty


def commit_all(project: Path, message: str) -> None:
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", message)


@pytest.mark.parametrize("framework", ["fastapi", "django"])
def test_update_deletes_a_turned_off_feature(
    template_repo: Path, tmp_path: Path, framework: str
) -> None:
    """Copier 9.19 deletes files that `_exclude` drops when an answer changes on update."""
    project = tmp_path / "service"
    answers = {
        "framework": framework,
        "database": "postgresql",
        "task_queue": "celery",
        "broker": "redis",
        "celery_beat": True,
        "flower": True,
        "deploy_target": ["compose", "kubernetes"],
    }
    render(template_repo, project, answers)
    pkg = project / "src" / "my_service"
    feature_paths = [
        pkg / "tasks" / "app.py",
        pkg / "tasks" / "schedule.py",
        pkg / "digests" / "tasks.py",
        pkg / "items" / "schemas.py",
        pkg / ("database_url.py" if framework == "django" else "db.py"),
        project / "tests" / "test_tasks.py",
        project / "deploy" / "kubernetes" / "worker.yaml",
        project / "deploy" / "kubernetes" / "migrate" / "job.yaml",
    ]
    assert all(p.is_file() for p in feature_paths), [p for p in feature_paths if not p.is_file()]
    git(project, "init", "-q", "-b", "main")
    commit_all(project, "generated")

    copier.run_update(
        str(project),
        data={"task_queue": "none", "database": "none", "deploy_target": ["compose"]},
        defaults=True,
        overwrite=True,
        unsafe=True,
        vcs_ref="HEAD",
        quiet=True,
    )

    left = [p for p in feature_paths if p.exists()]
    assert not left, f"still there after turning the feature off: {left}"
    assert not (project / "deploy").exists()
    assert not list(project.rglob("*.rej"))
    assert (pkg / "settings.py").is_file()


@pytest.mark.parametrize("answer_set", params(tagged("servers")))
def test_server_files_are_there_exactly_when_the_server_uses_them(
    rendered: Callable[[AnswerSet], Path], answer_set: AnswerSet
) -> None:
    """`_exclude` decides from the answers alone (copier.yml says why); this checks its server
    switches against what the render uses: `serving/proxied.py` where the CMD serves it, and
    `serving/server_logging.json` where the server configuration or entrypoint reads it."""
    project = rendered(answer_set)
    (serving,) = project.glob("src/*/serving")
    dockerfile = (project / "Dockerfile").read_text()
    assert (serving / "proxied.py").is_file() == ("serving.proxied:app" in dockerfile)
    readers = [p for p in serving.glob("*.py") if "server_logging.json" in p.read_text()]
    assert (serving / "server_logging.json").is_file() == bool(readers), readers
