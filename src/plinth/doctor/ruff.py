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


def ruff_findings(root: Path) -> list[Finding] | None:
    """ruff's ASYNC findings under ``root`` mapped to rule ids, or None when ruff is missing or
    fails (plinth's own checks of the same calls then stand alone)."""
    binary = ruff_binary()
    if binary is None:
        return None
    excludes = ",".join(sorted({*SKIP_DIRS, *TEST_PARTS, "test_*.py", "*_test.py", "conftest.py"}))
    cmd = [
        binary,
        "check",
        "--isolated",
        "--no-cache",
        "--exit-zero",
        "--output-format",
        "json",
        "--select",
        ",".join(CODES),
        "--extend-exclude",
        excludes,
        "--force-exclude",
        ".",
    ]
    try:
        proc = subprocess.run(
            cmd,
            cwd=root,
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "NO_COLOR": "1"},
        )
        rows = json.loads(proc.stdout or "[]")
    except (OSError, subprocess.TimeoutExpired, json.JSONDecodeError):
        return None
    out = []
    for row in rows:
        code = row.get("code")
        if code not in CODES:
            continue
        rule_id, fix = CODES[code]
        rel = Path(row["filename"]).resolve().relative_to(root.resolve()).as_posix()
        out.append(
            finding(
                rule_id,
                rel,
                int(row["location"]["row"]),
                f"{row['message']} (ruff {code}).",
                f"Instead: {fix}.",
                source=f"ruff {code}",
            )
        )
    return out
