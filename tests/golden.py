"""Golden samples: a few rendered projects committed under ``examples/``, one folder each.

Each folder is a complete render of one answer set tagged ``golden`` in tests/matrix.py; its
``.copier-answers.yml`` says which answers made it. tests/test_examples.py re-renders every set
and fails on any difference, so every template change shows its effect on real output in review.
After an intended change, rewrite them with ``uv run python tests/golden.py``.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from helpers import REPO_ROOT, render, snapshot_worktree
from matrix import GOLDEN_SETS

EXAMPLES_DIR = REPO_ROOT / "examples"
ANSWERS_FILE = ".copier-answers.yml"

# name -> answers (the template's defaults besides these); examples/<name>/ holds its render.
EXAMPLES: dict[str, dict[str, Any]] = {s.name: s.data for s in GOLDEN_SETS}


def tree(root: Path) -> dict[str, bytes]:
    """Relative path -> content, without the answers file's commit line (it names a snapshot)."""
    files: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            rel = path.relative_to(root).as_posix()
            content = path.read_bytes()
            if rel == ANSWERS_FILE:
                content = b"".join(
                    line for line in content.splitlines(keepends=True)
                    if not line.startswith((b"_commit:", b"_src_path:"))
                )  # fmt: skip
            files[rel] = content
    return files


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        template = snapshot_worktree(Path(tmp) / "template")
        shutil.rmtree(EXAMPLES_DIR, ignore_errors=True)
        for name, answers in EXAMPLES.items():
            folder = render(template, EXAMPLES_DIR / name, answers)
            # The commit and source path name a throwaway snapshot: leave them out, so a
            # re-render that changes nothing leaves no diff.
            answers_file = folder / ANSWERS_FILE
            answers_file.write_bytes(tree(folder)[ANSWERS_FILE])
            print(f"examples/{name}: rendered")
    return 0


if __name__ == "__main__":
    sys.exit(main())
