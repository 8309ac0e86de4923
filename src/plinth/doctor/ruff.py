"""ruff's ASYNC rules, run as a subprocess and mapped to the rulebook (R12), instead of
rewriting what ruff already checks: blocking HTTP, processes, files and sleeps in `async def`.
(ruff's FAST rules are about API declarations, not serving: no rule maps to them.)"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from .files import SKIP_DIRS, TEST_PARTS
from .model import Finding, finding

# ruff code -> (rule id, the fix)
CODES = {
    "ASYNC210": ("R12", "use the shared httpx.AsyncClient from the lifespan and await it (R15)"),
    "ASYNC212": ("R12", "use the shared httpx.AsyncClient from the lifespan and await it (R15)"),
    "ASYNC220": ("R12", "use `await asyncio.create_subprocess_exec(...)`"),
    "ASYNC221": ("R12", "use `await asyncio.create_subprocess_exec(...)`"),
    "ASYNC222": ("R12", "use `await asyncio.create_subprocess_exec(...)` and `await proc.wait()`"),
    "ASYNC230": (
        "R12",
        "use `await anyio.Path(...).read_text()` or `await asyncio.to_thread(...)`",
    ),
    "ASYNC240": ("R12", "use `anyio.Path` or `await asyncio.to_thread(...)`"),
    "ASYNC250": ("R12", "a server has no console: read settings from the environment"),
    "ASYNC251": ("R12", "`await asyncio.sleep(...)`"),
}


def ruff_binary() -> str | None:
    try:
        from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

        return str(find_ruff_bin())
    except (ImportError, FileNotFoundError):
        return shutil.which("ruff")


class RuffRun:
    """ruff started in the background while plinth reads the repository (both use a core)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.proc: subprocess.Popen[str] | None = None
        binary = ruff_binary()
        if binary is None:
            return
        excludes = ",".join(
            sorted({*SKIP_DIRS, *TEST_PARTS, "test_*.py", "*_test.py", "conftest.py"})
        )
        cmd = [binary, "check", "--isolated", "--no-cache", "--exit-zero", "--output-format",
               "json", "--select", ",".join(CODES), "--extend-exclude", excludes,
               "--force-exclude", "."]  # fmt: skip
        try:
            self.proc = subprocess.Popen(
                cmd, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                env={**os.environ, "NO_COLOR": "1"},
            )  # fmt: skip
        except OSError:
            self.proc = None

    def findings(self) -> list[Finding] | None:
        """ruff's ASYNC findings mapped to rule ids, or None when ruff is missing or failed
        (plinth's own checks of the same calls then stand alone)."""
        if self.proc is None:
            return None
        try:
            stdout, _ = self.proc.communicate(timeout=300)
            rows = json.loads(stdout or "[]")
        except (subprocess.TimeoutExpired, json.JSONDecodeError):
            self.proc.kill()
            return None
        if self.proc.returncode != 0:
            return None
        return [f for row in rows if (f := _mapped(row, self.root)) is not None]


def _mapped(row: dict[str, object], root: Path) -> Finding | None:
    code = row.get("code")
    if not isinstance(code, str) or code not in CODES:
        return None
    rule_id, fix = CODES[code]
    location = row["location"]
    assert isinstance(location, dict)
    rel = Path(str(row["filename"])).resolve().relative_to(root.resolve()).as_posix()
    return finding(rule_id, rel, int(location["row"]), f"{row['message']} (ruff {code}).",
                   f"Instead: {fix}.", source=f"ruff {code}")  # fmt: skip
