"""Bad answers are refused before anything is written (validators in copier.yml, not hooks)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from copier.errors import CopierError
from helpers import render
from matrix import BASE

# (id, answers that override BASE[, xfail reason]). Every row must make run_copy raise and
# write nothing. A third element marks a refusal the template does not enforce yet
# (xfail strict: the row starts failing the day the template enforces it, so remove it then).
REFUSALS: list[tuple[Any, ...]] = [
    ("project_name-empty", {"project_name": ""}),
    ("project_name-leading-digit", {"project_name": "1password clone"}),
    ("project_name-punctuation", {"project_name": "Orders!"}),
    ("project_slug-underscore-caps", {"project_slug": "My_Service"}),
    ("project_slug-leading-dash", {"project_slug": "-x"}),
    ("project_slug-trailing-dash", {"project_slug": "x-"}),
    ("project_slug-double-dash", {"project_slug": "a--b"}),
    ("project_slug-leading-digit", {"project_slug": "1-orders"}),
    ("author_email-no-at", {"author_email": "not-an-email"}),
    ("author_email-no-domain", {"author_email": "team@"}),
    ("python_version-3.11", {"python_version": "3.11"}),
    ("python_version-garbage", {"python_version": "python3"}),
    ("database-unknown", {"database": "oracle"}),
    ("server-unknown", {"server": "waitress"}),
    ("framework-unknown", {"framework": "bottle"}),
    # servers (issue 3): choices that cannot serve the framework, bad worker/thread counts
    ("server-gunicorn-sync-for-fastapi", {"framework": "fastapi", "server": "gunicorn"}),
    ("server-daphne-for-fastapi", {"framework": "fastapi", "server": "daphne"}),
    ("workload-unknown", {"workload": "gpu"}),
    ("workers-zero", {"workers": "0"}),
    ("workers-negative", {"workers": "-2"}),
    ("workers-word", {"workers": "many"}),
    ("threads-zero", {"server": "gunicorn-uvicorn", "threads": "0"}),
    ("deploy_target-none", {"deploy_target": []}),
    ("deploy_target-unknown", {"deploy_target": ["heroku"]}),
    ("sqlite-on-kubernetes", {"database": "sqlite", "deploy_target": ["kubernetes"]}),
    ("sqlite-on-cloud-run", {"database": "sqlite", "deploy_target": ["compose", "cloud-run"]}),
    ("task_queue-unknown", {"task_queue": "rq"}),
    ("broker-unknown", {"task_queue": "celery", "broker": "sqs"}),
    ("result_backend-unknown", {"task_queue": "celery", "result_backend": "rpc"}),
    ("celery-on-cloud-run", {"task_queue": "celery", "deploy_target": ["kubernetes", "cloud-run"]}),
    ("celery-for-flask", {"framework": "flask", "task_queue": "celery"}),
    ("celery-for-litestar", {"framework": "litestar", "task_queue": "celery"}),
    # R1-R3: an ASGI app needs an ASGI server, a WSGI app a WSGI server.
    ("flask-on-uvicorn", {"framework": "flask", "server": "uvicorn"}),
    ("flask-on-gunicorn-uvicorn", {"framework": "flask", "server": "gunicorn-uvicorn"}),
    ("flask-on-gunicorn-asgi", {"framework": "flask", "server": "gunicorn-asgi"}),
    ("flask-on-hypercorn", {"framework": "flask", "server": "hypercorn"}),
    ("flask-on-daphne", {"framework": "flask", "server": "daphne"}),
    ("litestar-on-daphne", {"framework": "litestar", "server": "daphne"}),
    ("litestar-on-gunicorn-gthread", {"framework": "litestar", "server": "gunicorn"}),
]


def _params() -> list[Any]:
    return [
        pytest.param(
            row[1],
            id=row[0],
            marks=[pytest.mark.xfail(strict=True, reason=row[2])] if len(row) > 2 else [],
        )
        for row in REFUSALS
    ]


@pytest.mark.parametrize("overrides", _params())
def test_bad_answer_is_refused(template_repo: Path, tmp_path: Path, overrides: dict) -> None:
    dst = tmp_path / "dst"
    with pytest.raises((ValueError, CopierError)) as excinfo:
        render(template_repo, dst, {**BASE, **overrides})
    assert str(excinfo.value).strip(), "refusal must explain itself"
    leftovers = sorted(p.name for p in dst.iterdir()) if dst.exists() else []
    assert not leftovers, f"refused answers still wrote {leftovers}"


def test_valid_base_answers_are_accepted(template_repo: Path, tmp_path: Path) -> None:
    """Control for the table above: the same call with BASE alone succeeds."""
    dst = render(template_repo, tmp_path / "dst", BASE)
    assert (dst / ".copier-answers.yml").is_file()


# Disabled choices must say why and what to pick instead (issue 3): (answers, words the
# refusal must contain). Copier applies per-choice validators to --data as to the prompt.
REASONS: list[tuple[str, dict[str, Any], list[str]]] = [
    ("fastapi-gunicorn", {"framework": "fastapi", "server": "gunicorn"},
     ["cannot run an ASGI app", "gunicorn-uvicorn", "gunicorn-asgi"]),
    ("fastapi-daphne", {"framework": "fastapi", "server": "daphne"},
     ["only Django", "gunicorn-uvicorn"]),
    ("sqlite-kubernetes", {"database": "sqlite", "deploy_target": ["kubernetes"]},
     ["own empty database", "postgresql"]),
    ("workers-zero", {"workers": "0"}, ["auto or a whole number"]),
    ("celery-cloud-run", {"task_queue": "celery", "deploy_target": ["cloud-run"]},
     ["no place for the Celery worker", "kubernetes"]),
    ("celery-litestar", {"framework": "litestar", "task_queue": "celery"},
     ["FastAPI and Django only", "fastapi or django"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("overrides", "words"), [pytest.param(r[1], r[2], id=r[0]) for r in REASONS]
)
def test_refusal_gives_the_reason(
    template_repo: Path, tmp_path: Path, overrides: dict, words: list[str]
) -> None:
    with pytest.raises((ValueError, CopierError)) as excinfo:
        render(template_repo, tmp_path / "dst", {**BASE, **overrides})
    message = " ".join(str(excinfo.value).split())
    missing = [w for w in words if w not in message]
    assert not missing, f"refusal {message!r} does not mention {missing}"
