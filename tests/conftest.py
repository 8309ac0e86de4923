"""Fixtures for the template's tests.

``template_repo``: a committed snapshot of the working tree, so ``vcs_ref="HEAD"`` renders what
is on disk (without it, Copier silently renders the last tag).
``rendered``: a callable ``rendered(answer_set) -> Path`` that renders once per answer set per
session (per xdist worker; tests of one set share an ``xdist_group`` so they land together).
``locked``: ``locked(answer_set) -> Path``, a copy of that render after the step its README tells
the owner to take first (``uv lock``: renders skip the lock task), shared by the tests that run
the project's own commands; they install it with ``uv sync`` as its CI does.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import child_env, describe, render, run, snapshot_worktree
from matrix import AnswerSet


@pytest.fixture(scope="session")
def template_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return snapshot_worktree(tmp_path_factory.mktemp("template") / "repo")


@pytest.fixture(scope="session")
def rendered(
    template_repo: Path, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[AnswerSet], Path]:
    cache: dict[str, Path] = {}
    failures: dict[str, BaseException] = {}

    def _rendered(answer_set: AnswerSet) -> Path:
        if answer_set.name in failures:  # do not re-render a set that already failed
            raise failures[answer_set.name]
        if answer_set.name not in cache:
            dst = tmp_path_factory.mktemp(f"render-{answer_set.name}") / "project"
            try:
                cache[answer_set.name] = render(template_repo, dst, answer_set.data)
            except BaseException as exc:
                failures[answer_set.name] = exc
                raise
        return cache[answer_set.name]

    return _rendered


@pytest.fixture(scope="session")
def locked(
    rendered: Callable[[AnswerSet], Path], tmp_path_factory: pytest.TempPathFactory
) -> Callable[[AnswerSet], Path]:
    cache: dict[str, Path] = {}

    def _locked(answer_set: AnswerSet) -> Path:
        if answer_set.name not in cache:
            project = tmp_path_factory.mktemp(f"locked-{answer_set.name}") / "project"
            shutil.copytree(rendered(answer_set), project)
            proc = run(["uv", "lock"], cwd=project, env=child_env())
            assert proc.returncode == 0, describe(proc)
            cache[answer_set.name] = project
        return cache[answer_set.name]

    return _locked


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
