"""Copy task: pin the generated project's dependencies with `uv lock`.

Runs in the generated project's directory. Copier runs tasks again during updates; this one is
registered for copies only, and it is safe to repeat anyway (`uv lock` is idempotent). It never
fails the generation: without uv, or offline, it says what to run by hand and exits 0.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

MANUAL_STEP = (
    "run `uv lock` in the project before building the image (the Dockerfile needs uv.lock)"
)


def lock(project_dir: Path, uv: str | None) -> bool:
    """Return True when uv.lock was written or confirmed up to date."""
    if uv is None:
        print(f"plinth: uv not found; {MANUAL_STEP}", file=sys.stderr)
        return False
    result = subprocess.run(
        [uv, "lock", "--quiet"], cwd=project_dir, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        print(f"plinth: `uv lock` failed; {MANUAL_STEP}\n{result.stderr}", file=sys.stderr)
        return False
    return True


if __name__ == "__main__":
    lock(Path.cwd(), shutil.which("uv"))
