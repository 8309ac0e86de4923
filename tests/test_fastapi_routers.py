"""FastAPI's `create_app` includes its routers, so routers a team adds keep every FastAPI feature:
nested routers and router lifespans (tests/probes/fastapi_nested_router.py, run in a service)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import REPO_ROOT, child_env, describe, run
from matrix import BY_NAME, AnswerSet

PROBE = REPO_ROOT / "tests" / "probes" / "fastapi_nested_router.py"
SET = BY_NAME["fastapi-none-uvicorn-py313"]


@pytest.mark.deep
@pytest.mark.xdist_group(SET.name)
def test_a_nested_router_with_a_lifespan_works(installed: Callable[[AnswerSet], Path]) -> None:
    project = installed(SET)
    (package,) = [p.name for p in (project / "src").iterdir() if p.is_dir()]
    proc = run(["uv", "run", "python", str(PROBE), package], cwd=project, env=child_env())
    assert proc.returncode == 0, describe(proc)
    assert "nested router ok" in proc.stdout
