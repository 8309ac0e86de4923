"""The committed golden samples under examples/ match a fresh render of the working tree: one
folder per answer set tagged ``golden`` in tests/matrix.py, and no other."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path

import pytest
from golden import EXAMPLES_DIR, tree
from matrix import GOLDEN_SETS, AnswerSet, params

STALE = "run `uv run python tests/golden.py`"


def test_examples_are_the_golden_sets() -> None:
    folders = sorted(p.name for p in EXAMPLES_DIR.iterdir() if p.is_dir())
    assert folders == sorted(s.name for s in GOLDEN_SETS), f"examples/ is stale: {STALE}"


@pytest.mark.parametrize("answer_set", params(GOLDEN_SETS))
def test_example_is_current(rendered: Callable[[AnswerSet], Path], answer_set: AnswerSet) -> None:
    folder = EXAMPLES_DIR / answer_set.name
    assert folder.is_dir(), f"examples/{answer_set.name} is missing: {STALE}"
    fresh = tree(rendered(answer_set))
    committed = tree(folder)

    assert sorted(fresh) == sorted(committed), f"files differ: {STALE}"
    for rel, content in fresh.items():
        if content != committed[rel]:
            diff = "\n".join(
                difflib.unified_diff(
                    committed[rel].decode(errors="replace").splitlines(),
                    content.decode(errors="replace").splitlines(),
                    f"examples/{answer_set.name}/{rel}",
                    "fresh render",
                    lineterm="",
                )
            )
            pytest.fail(f"examples/{answer_set.name}/{rel} is stale ({STALE})\n{diff}")
