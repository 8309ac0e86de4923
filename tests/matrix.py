# ruff: noqa: E501  (one answer set per line, aligned, reads as a table)
"""The curated answer sets: the ONE place that says which combinations the tests render.

Every value of every choice question appears in at least one set (``test_matrix_coverage``
fails otherwise), and the deep tier boots every database, framework and server at least once.
To cover a new choice, add or extend a line below; the fast tier picks it up automatically.

Not a cartesian product: each set is named after what it exercises, and pairs that interact
get their own line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

# Answers every set shares (valid, non-default, so defaults are not the only thing tested;
# the "defaults" set below covers the defaults).
BASE: dict[str, Any] = {
    "project_name": "Acme Orders",
    "description": "Takes orders for the plinth template tests.",
    "author_name": "Plinth Tests",
    "author_email": "tests@example.com",
}


@dataclass(frozen=True)
class AnswerSet:
    """One named combination of answers.

    ``deep``: also install the rendered project, run its tests and boot its Dockerfile CMD.
    """

    name: str
    answers: dict[str, Any] = field(default_factory=dict)
    deep: bool = False

    @property
    def data(self) -> dict[str, Any]:
        return {**BASE, **self.answers}


# fmt: off
ANSWER_SETS: list[AnswerSet] = [
    AnswerSet("defaults", {}),
    AnswerSet("fastapi-postgresql-gunicorn-py313", {"framework": "fastapi", "database": "postgresql", "server": "gunicorn-uvicorn", "python_version": "3.13"}, deep=True),
    AnswerSet("fastapi-mysql-gunicorn-py312",      {"framework": "fastapi", "database": "mysql",      "server": "gunicorn-uvicorn", "python_version": "3.12"}, deep=True),
    AnswerSet("fastapi-sqlite-uvicorn-py312",      {"framework": "fastapi", "database": "sqlite",     "server": "uvicorn",          "python_version": "3.12"}, deep=True),
    AnswerSet("fastapi-none-uvicorn-py313",        {"framework": "fastapi", "database": "none",       "server": "uvicorn",          "python_version": "3.13"}, deep=True),
    AnswerSet("fastapi-none-gunicorn-py312",       {"framework": "fastapi", "database": "none",       "server": "gunicorn-uvicorn", "python_version": "3.12"}),
    AnswerSet("fastapi-postgresql-uvicorn-py312",  {"framework": "fastapi", "database": "postgresql", "server": "uvicorn",          "python_version": "3.12", "project_name": "Billing API 2"}),
    # django (issue 5): every database deep; WSGI (gunicorn gthread/sync) and every ASGI server
    AnswerSet("django-postgresql-gunicorn-py313",  {"framework": "django",  "database": "postgresql", "server": "gunicorn",         "python_version": "3.13", "workload": "io"}, deep=True),
    AnswerSet("django-mysql-daphne-py312",         {"framework": "django",  "database": "mysql",      "server": "daphne",           "python_version": "3.12"}, deep=True),
    AnswerSet("django-sqlite-granian-py313",       {"framework": "django",  "database": "sqlite",     "server": "granian",          "python_version": "3.13"}, deep=True),
    AnswerSet("django-none-uvicorn-py313",         {"framework": "django",  "database": "none",       "server": "uvicorn",          "python_version": "3.13"}, deep=True),
    AnswerSet("django-sqlite-gunicorn-uvicorn",    {"framework": "django",  "database": "sqlite",     "server": "gunicorn-uvicorn", "python_version": "3.12"}, deep=True),
    AnswerSet("django-none-gunicorn-sync-py312",   {"framework": "django",  "database": "none",       "server": "gunicorn",         "python_version": "3.12", "workload": "cpu"}, deep=True),
    AnswerSet("django-pg-gunicorn-uvicorn-py312",  {"framework": "django",  "database": "postgresql", "server": "gunicorn-uvicorn", "python_version": "3.12", "deploy_target": ["compose", "kubernetes", "cloud-run"]}),
    AnswerSet("django-mysql-uvicorn-py313",        {"framework": "django",  "database": "mysql",      "server": "uvicorn",          "python_version": "3.13"}),
    AnswerSet("django-none-gunicorn-asgi-py312",   {"framework": "django",  "database": "none",       "server": "gunicorn-asgi",    "python_version": "3.12"}, deep=True),
    AnswerSet("django-none-hypercorn-py313",       {"framework": "django",  "database": "none",       "server": "hypercorn",        "python_version": "3.13"}, deep=True),
    # servers (issue 3): every (fastapi, server) pair boots; workload/workers/deploy targets vary
    AnswerSet("fastapi-none-gunicorn-asgi-py313",  {"framework": "fastapi", "database": "none",       "server": "gunicorn-asgi",    "python_version": "3.13", "workers": "2"}, deep=True),
    AnswerSet("fastapi-sqlite-granian-py313",      {"framework": "fastapi", "database": "sqlite",     "server": "granian",          "python_version": "3.13"}, deep=True),
    AnswerSet("fastapi-none-hypercorn-py312",      {"framework": "fastapi", "database": "none",       "server": "hypercorn",        "python_version": "3.12", "deploy_target": ["kubernetes", "cloud-run"]}, deep=True),
    AnswerSet("fastapi-postgresql-k8s-cloud-run",  {"framework": "fastapi", "database": "postgresql", "server": "gunicorn-uvicorn", "workload": "cpu", "workers": "3", "deploy_target": ["kubernetes", "cloud-run"]}),
    AnswerSet("fastapi-mysql-uvicorn-compose-k8s", {"framework": "fastapi", "database": "mysql",      "server": "uvicorn",          "deploy_target": ["compose", "kubernetes"]}),
    AnswerSet("fastapi-none-granian-cloud-run",    {"framework": "fastapi", "database": "none",       "server": "granian",          "workers": "4", "deploy_target": ["cloud-run"], "scheduled_update": True}),
    # Celery (issue 4). The first two are also booted against the real brokers by test_celery.py.
    AnswerSet("celery-redis-beat-flower",          {"framework": "fastapi", "database": "none",       "server": "gunicorn-uvicorn", "python_version": "3.13", "task_queue": "celery", "broker": "redis",    "result_backend": "redis", "celery_beat": True,  "flower": True, "deploy_target": ["compose", "kubernetes"]}),
    AnswerSet("celery-rabbitmq-redis",             {"framework": "fastapi", "database": "none",       "server": "uvicorn",          "python_version": "3.13", "task_queue": "celery", "broker": "rabbitmq", "result_backend": "redis", "celery_beat": False, "flower": False}),
    AnswerSet("celery-rabbitmq-none-flower-pg",    {"framework": "fastapi", "database": "postgresql", "server": "gunicorn-uvicorn", "python_version": "3.13", "task_queue": "celery", "broker": "rabbitmq", "result_backend": "none",  "celery_beat": False, "flower": True, "deploy_target": ["kubernetes"]}),
    AnswerSet("celery-redis-none-beat-sqlite",     {"framework": "fastapi", "database": "sqlite",     "server": "uvicorn",          "python_version": "3.12", "task_queue": "celery", "broker": "redis",    "result_backend": "none",  "celery_beat": True,  "flower": False}),
    # Celery for Django (config/celery.py): the first two are booted by test_celery.py too.
    AnswerSet("django-celery-redis-beat",          {"framework": "django",  "database": "sqlite",     "server": "gunicorn",         "python_version": "3.13", "task_queue": "celery", "broker": "redis",    "result_backend": "redis", "celery_beat": True,  "flower": False}),
    AnswerSet("django-celery-rabbitmq-flower",     {"framework": "django",  "database": "postgresql", "server": "uvicorn",          "python_version": "3.12", "task_queue": "celery", "broker": "rabbitmq", "result_backend": "none",  "celery_beat": False, "flower": True, "deploy_target": ["compose", "kubernetes"]}),
    # Flask (WSGI; sync SQLAlchemy on psycopg 3 / PyMySQL / sqlite3): every WSGI server and worker kind.
    AnswerSet("flask-postgresql-gunicorn-py313",     {"framework": "flask",    "database": "postgresql", "server": "gunicorn",         "python_version": "3.13", "threads": "8"}, deep=True),
    AnswerSet("flask-mysql-granian-py312",           {"framework": "flask",    "database": "mysql",      "server": "granian",          "python_version": "3.12"}, deep=True),
    AnswerSet("flask-sqlite-gunicorn-cpu-py313",     {"framework": "flask",    "database": "sqlite",     "server": "gunicorn",         "python_version": "3.13", "workload": "cpu"}, deep=True),
    AnswerSet("flask-none-granian-cpu-py312",        {"framework": "flask",    "database": "none",       "server": "granian",          "python_version": "3.12", "workload": "cpu", "workers": "2"}, deep=True),
    AnswerSet("flask-defaults",                      {"framework": "flask"}),
    AnswerSet("flask-mysql-gunicorn-k8s-cloud-run",  {"framework": "flask",    "database": "mysql",      "server": "gunicorn",         "deploy_target": ["compose", "kubernetes", "cloud-run"]}),
    # Litestar (ASGI; async SQLAlchemy like FastAPI): the ASGI servers spread over the databases.
    AnswerSet("litestar-postgresql-gunicorn-py313",  {"framework": "litestar", "database": "postgresql", "server": "gunicorn-uvicorn", "python_version": "3.13"}, deep=True),
    AnswerSet("litestar-mysql-granian-py312",        {"framework": "litestar", "database": "mysql",      "server": "granian",          "python_version": "3.12"}, deep=True),
    AnswerSet("litestar-sqlite-hypercorn-py313",     {"framework": "litestar", "database": "sqlite",     "server": "hypercorn",        "python_version": "3.13"}, deep=True),
    AnswerSet("litestar-none-gunicorn-asgi-py312",   {"framework": "litestar", "database": "none",       "server": "gunicorn-asgi",    "python_version": "3.12"}, deep=True),
    AnswerSet("litestar-postgresql-uvicorn-k8s",     {"framework": "litestar", "database": "postgresql", "server": "uvicorn",          "python_version": "3.12", "deploy_target": ["kubernetes", "cloud-run"]}),
    # Celery for Flask (init_celery, tasks in the app context) and Litestar (the lifespan owns it):
    # the first two are booted by test_celery.py too (two gunicorn workers: quick to boot).
    AnswerSet("flask-celery-redis-beat",             {"framework": "flask",    "database": "sqlite",     "server": "gunicorn",         "python_version": "3.13", "workers": "2", "task_queue": "celery", "broker": "redis",    "result_backend": "redis", "celery_beat": True,  "flower": False}),
    AnswerSet("litestar-celery-rabbitmq-flower",     {"framework": "litestar", "database": "none",       "server": "granian",          "python_version": "3.12", "task_queue": "celery", "broker": "rabbitmq", "result_backend": "redis", "celery_beat": False, "flower": True, "deploy_target": ["compose", "kubernetes"]}),
    AnswerSet("flask-celery-rabbitmq-none-k8s",      {"framework": "flask",    "database": "none",       "server": "granian",          "python_version": "3.12", "task_queue": "celery", "broker": "rabbitmq", "result_backend": "none",  "celery_beat": False, "flower": False, "deploy_target": ["kubernetes"]}),
]
# fmt: on

# Questions whose every value the deep tier must boot at least once.
DEEP_AXES: tuple[str, ...] = ("framework", "server", "database")

BY_NAME: dict[str, AnswerSet] = {s.name: s for s in ANSWER_SETS}
DEEP_SETS: list[AnswerSet] = [s for s in ANSWER_SETS if s.deep]

assert len(BY_NAME) == len(ANSWER_SETS), "answer set names must be unique"


def params(sets: list[AnswerSet] = ANSWER_SETS) -> list[Any]:
    """Parametrize over answer sets; each set's tests share one xdist group (one render)."""
    return [pytest.param(s, id=s.name, marks=pytest.mark.xdist_group(s.name)) for s in sets]
