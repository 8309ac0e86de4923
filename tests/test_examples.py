"""The committed golden samples under examples/ match a fresh render of the working tree."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from golden import EXAMPLES, EXAMPLES_DIR, render_example, stored_answers, tree


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_is_current(name: str, template_repo: Path, tmp_path: Path) -> None:
    folder = EXAMPLES_DIR / name
    assert folder.is_dir(), f"examples/{name} is missing: run `uv run python tests/golden.py`"
    answers = stored_answers(folder)
    fresh = tree(render_example(template_repo, tmp_path / name, answers))
    committed = tree(folder)

    assert sorted(fresh) == sorted(committed), "files differ: run `uv run python tests/golden.py`"
    for rel, content in fresh.items():
        if content != committed[rel]:
            diff = "\n".join(
                difflib.unified_diff(
                    committed[rel].decode(errors="replace").splitlines(),
                    content.decode(errors="replace").splitlines(),
                    f"examples/{name}/{rel}",
                    "fresh render",
                    lineterm="",
                )
            )
            stale = f"examples/{name}/{rel} is stale (run `uv run python tests/golden.py`)"
            pytest.fail(f"{stale}\n{diff}")
