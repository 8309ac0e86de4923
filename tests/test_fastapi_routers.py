"""FastAPI's `create_app` includes its routers, so routers a team adds keep every FastAPI feature:
nested routers and router lifespans (tests/probes/fastapi_nested_router.py, run in a service)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import REPO_ROOT, child_env, describe, run
from matrix import BY_NAME, AnswerSet

PROBE = REPO_ROOT / "tests" / "probes" / "fastapi_nested_router.py"
SET = BY_NAME["fastapi-none-uvicorn-py313"]


@pytest.mark.deep
@pytest.mark.xdist_group(SET.name)
def test_a_nested_router_with_a_lifespan_works(
    locked: Callable[[AnswerSet], Path], tmp_path: Path
) -> None:
    project = tmp_path / "project"
    shutil.copytree(locked(SET), project)
    (package,) = [p.name for p in (project / "src").iterdir() if p.is_dir()]
    env = child_env()
    for argv in (["uv", "sync", "--locked"], ["uv", "run", "python", str(PROBE), package]):
        proc = run(argv, cwd=project, env=env)
        assert proc.returncode == 0, describe(proc)
    assert "nested router ok" in proc.stdout
