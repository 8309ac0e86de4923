"""Fixtures for the template's tests.

``template_repo``: a committed snapshot of the working tree. Renders use it with
``vcs_ref="HEAD"``, so they render what is on disk (at a tag, Copier silently renders the last
release), and one tree for the whole session even if files change meanwhile.
``rendered``: ``rendered(answer_set) -> Path``, pytest-copie's ``copie_session`` render of that
set from the snapshot, once per session (per xdist worker; tests of one set share an
``xdist_group`` so they land together). pytest-copie's own template (``--template``, default the
current directory) is never used.
``installed``: ``installed(answer_set) -> Path``, a copy of that render after the step its
README tells the owner to take first (``uv sync``: it writes uv.lock and the venv, with the dev
group), once per session and worker, shared by every test that runs the project's commands or
boots it. Tests must leave it as they found it (no files written into it).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers import child_env, describe, run, snapshot_worktree
from matrix import AnswerSet


@pytest.fixture(scope="session")
def template_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return snapshot_worktree(tmp_path_factory.mktemp("template") / "repo")


def _cached(build: Callable[[AnswerSet], Path]) -> Callable[[AnswerSet], Path]:
    """``build`` once per answer set; a set that failed fails again without a second try."""
    cache: dict[str, Path] = {}
    failures: dict[str, BaseException] = {}

    def get(answer_set: AnswerSet) -> Path:
        if answer_set.name in failures:
            raise failures[answer_set.name]
        if answer_set.name not in cache:
            try:
                cache[answer_set.name] = build(answer_set)
            except BaseException as exc:
                failures[answer_set.name] = exc
                raise
        return cache[answer_set.name]

    return get


@pytest.fixture(scope="session")
def render_with_copie(copie_session: Any, template_repo: Path) -> Callable[[dict[str, Any]], Path]:
    """``render(answers) -> Path``: a fresh render of the snapshot through pytest-copie (answers
    as user defaults with ``--defaults``: Copier validates them like ``--data``)."""

    def _render(answers: dict[str, Any]) -> Path:
        result = copie_session.copy(extra_answers=answers, template_dir=template_repo)
        if result.exception is not None:
            raise result.exception
        assert result.project_dir is not None
        return Path(result.project_dir)

    return _render


@pytest.fixture(scope="session")
def rendered(render_with_copie: Callable[[dict[str, Any]], Path]) -> Callable[[AnswerSet], Path]:
    return _cached(lambda answer_set: render_with_copie(answer_set.data))


@pytest.fixture(scope="session")
def installed(
    rendered: Callable[[AnswerSet], Path], tmp_path_factory: pytest.TempPathFactory
) -> Callable[[AnswerSet], Path]:
    def install(answer_set: AnswerSet) -> Path:
        project = tmp_path_factory.mktemp(f"installed-{answer_set.name}") / "project"
        shutil.copytree(rendered(answer_set), project)
        proc = run(["uv", "sync"], cwd=project, env=child_env())
        assert proc.returncode == 0, describe(proc)
        return project

    return _cached(install)


@pytest.fixture(scope="session")
def mypy_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One mypy cache per xdist worker, shared by the projects that worker checks one after
    another: a file whose path differs from the cached one is rechecked unless its content hash
    matches, so only the third-party modules the projects share (pydantic, SQLAlchemy, Django's
    stubs) are reused. Not shared across workers: mypy's cache has no locking, and two mypy
    processes writing it at once made one crash with an INTERNAL ERROR."""
    return tmp_path_factory.getbasetemp() / "mypy-cache"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The container tier's image sizes and build times (tests/test_container.py writes them)."""
    basetemp = terminalreporter.config._tmp_path_factory.getbasetemp()
    report = Path(basetemp) / "container-report.txt"
    if report.is_file():
        terminalreporter.section("container images")
        for line in sorted(report.read_text().splitlines()):
            terminalreporter.write_line(line)
