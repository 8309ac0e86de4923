"""Fixtures for the template's tests.

``template_repo``: a committed snapshot of the working tree, so ``vcs_ref="HEAD"`` renders what
is on disk (without it, Copier silently renders the last tag).
``rendered``: a callable ``rendered(answer_set) -> Path`` that renders once per answer set per
session (per xdist worker; tests of one set share an ``xdist_group`` so they land together).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import render, snapshot_worktree
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
