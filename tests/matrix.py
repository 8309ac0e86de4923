# ruff: noqa: E501  (one answer set per line, aligned, reads as a table)
"""The answer sets: the ONE place that says which combinations the tests render.

Each set has a name and tags; a test selects the sets it runs by tag (``tagged("deep")``):

- ``matrix``: the fast tier renders and checks it statically (tests/test_render.py and others).
  Every value of every choice question appears in at least one (``test_matrix_coverage``).
- ``deep``: installed, migrated and booted by its Dockerfile CMD (tests/test_deep.py); the deep
  tier boots every database, framework and server at least once.
- ``ci-steps``: its generated CI workflow and README commands run (tests/test_ci_steps.py); each
  framework meets every server, database and task-queue value there (``test_matrix_coverage``).
- ``typecheck``: mypy strict in the fast tier, one set per framework (tests/test_ci_steps.py).
- ``container``, ``contract``, ``readiness``, ``bad-input``, ``celery-proof``: the sets of
  tests/test_container.py, test_contract.py, test_readiness.py, test_bad_input.py, test_celery.py.
- ``proxy``: the WSGI servers behind the compose file's nginx (tests/test_slow_clients.py; the
  ``servers`` sets there measure every server without a proxy).
- ``servers``: the server proofs (tests/test_servers.py), every (framework, server) pair offered;
  ``asgi`` (served over ASGI), ``uvloop`` (its workers run uvloop: every ASGI server but daphne)
  and ``supervised`` (a supervisor restarts a dead worker: not hypercorn, not daphne) say which
  proofs apply; the tests check the render agrees.
- ``golden``: committed under ``examples/<name>/`` (tests/golden.py, tests/test_examples.py).
  Golden sets take the template's defaults for what they do not set (no ``BASE``).
- ``upgrade``: rendered at every recorded release from ``since`` on, then updated
  (tests/test_upgrade.py). Their answers hold only what every release since then understands.
- ``fleet``: the service the fleet and update-workflow tests generate at old releases
  (tests/test_fleet.py, tests/test_update_workflow.py): answers every release understands.

Not a cartesian product: each set is named after what it exercises, and pairs that interact
get their own line. To cover a new choice, add or extend a line; the tiers pick it up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

# Answers every set but the golden ones shares (valid, non-default, so defaults are not the only
# thing tested; the "defaults" set covers the defaults).
BASE: dict[str, Any] = {
    "project_name": "Acme Orders",
    "description": "Takes orders for the plinth template tests.",
    "author_name": "Plinth Tests",
    "author_email": "tests@example.com",
}


@dataclass(frozen=True)
class AnswerSet:
    """One named combination of answers, with the tags that select it (module docstring)."""

    name: str
    answers: dict[str, Any] = field(default_factory=dict)
    tags: frozenset[str] = frozenset()
    base: bool = True  # BASE applies (every set but the golden samples)
    since: str = ""  # upgrade sets: the first release that offers these answers

    @property
    def data(self) -> dict[str, Any]:
        return {**BASE, **self.answers} if self.base else dict(self.answers)

    @property
    def deep(self) -> bool:
        return "deep" in self.tags


def matrix(name: str, answers: dict[str, Any], *tags: str) -> AnswerSet:
    return AnswerSet(name, answers, frozenset({"matrix", *tags}))


def server(name: str, answers: dict[str, Any], *tags: str) -> AnswerSet:
    return AnswerSet(
        f"servers-{name}", {"database": "none", **answers}, frozenset({"servers", *tags})
    )


def golden(name: str, answers: dict[str, Any]) -> AnswerSet:
    return AnswerSet(name, answers, frozenset({"golden"}), base=False)


def upgrade(name: str, answers: dict[str, Any], since: str) -> AnswerSet:
    return AnswerSet(f"upgrade-{name}", answers, frozenset({"upgrade"}), since=since)


CELERY_AT_0_2 = {
    "task_queue": "celery",
    "broker": "redis",
    "result_backend": "redis",
    "celery_beat": True,
    "flower": False,
}


# fmt: off
REGISTRY: list[AnswerSet] = [
    # ---- the matrix (fast tier: every set rendered and checked statically)
    matrix("defaults", {}),
    matrix("fastapi-postgresql-gunicorn-py313", {"framework": "fastapi", "database": "postgresql", "server": "gunicorn-uvicorn", "python_version": "3.13"}, "deep", "ci-steps", "container", "contract", "readiness"),
    matrix("fastapi-mysql-gunicorn-py312",      {"framework": "fastapi", "database": "mysql",      "server": "gunicorn-uvicorn", "python_version": "3.12"}, "deep", "ci-steps"),
    matrix("fastapi-sqlite-uvicorn-py312",      {"framework": "fastapi", "database": "sqlite",     "server": "uvicorn",          "python_version": "3.12"}, "deep", "ci-steps", "contract", "bad-input"),
    matrix("fastapi-none-uvicorn-py313",        {"framework": "fastapi", "database": "none",       "server": "uvicorn",          "python_version": "3.13"}, "deep", "ci-steps"),
    matrix("fastapi-none-gunicorn-py312",       {"framework": "fastapi", "database": "none",       "server": "gunicorn-uvicorn", "python_version": "3.12"}),
    matrix("fastapi-postgresql-uvicorn-py312",  {"framework": "fastapi", "database": "postgresql", "server": "uvicorn",          "python_version": "3.12", "project_name": "Billing API 2"}, "container"),
    # django (issue 5): every database deep; WSGI (gunicorn gthread/sync) and every ASGI server
    matrix("django-postgresql-gunicorn-py313",  {"framework": "django",  "database": "postgresql", "server": "gunicorn",         "python_version": "3.13", "workload": "io"}, "deep", "ci-steps", "contract", "readiness", "proxy"),
    matrix("django-mysql-daphne-py312",         {"framework": "django",  "database": "mysql",      "server": "daphne",           "python_version": "3.12"}, "deep", "ci-steps", "container"),
    matrix("django-sqlite-granian-py313",       {"framework": "django",  "database": "sqlite",     "server": "granian",          "python_version": "3.13"}, "deep", "ci-steps", "contract", "bad-input"),
    matrix("django-none-uvicorn-py313",         {"framework": "django",  "database": "none",       "server": "uvicorn",          "python_version": "3.13"}, "deep", "ci-steps"),
    matrix("django-sqlite-gunicorn-uvicorn",    {"framework": "django",  "database": "sqlite",     "server": "gunicorn-uvicorn", "python_version": "3.12"}, "deep", "ci-steps"),
    matrix("django-none-gunicorn-sync-py312",   {"framework": "django",  "database": "none",       "server": "gunicorn",         "python_version": "3.12", "workload": "cpu"}, "deep", "ci-steps"),
    matrix("django-pg-gunicorn-uvicorn-py312",  {"framework": "django",  "database": "postgresql", "server": "gunicorn-uvicorn", "python_version": "3.12", "deploy_target": ["compose", "kubernetes", "cloud-run"]}),
    matrix("django-mysql-uvicorn-py313",        {"framework": "django",  "database": "mysql",      "server": "uvicorn",          "python_version": "3.13"}),
    matrix("django-none-gunicorn-asgi-py312",   {"framework": "django",  "database": "none",       "server": "gunicorn-asgi",    "python_version": "3.12"}, "deep", "ci-steps"),
    matrix("django-none-hypercorn-py313",       {"framework": "django",  "database": "none",       "server": "hypercorn",        "python_version": "3.13"}, "deep", "ci-steps", "container", "typecheck"),
    # servers (issue 3): every (fastapi, server) pair boots; workload/workers/deploy targets vary
    matrix("fastapi-none-gunicorn-asgi-py313",  {"framework": "fastapi", "database": "none",       "server": "gunicorn-asgi",    "python_version": "3.13", "workers": "2"}, "deep", "ci-steps", "typecheck"),
    matrix("fastapi-sqlite-granian-py313",      {"framework": "fastapi", "database": "sqlite",     "server": "granian",          "python_version": "3.13"}, "deep", "ci-steps"),
    matrix("fastapi-none-hypercorn-py312",      {"framework": "fastapi", "database": "none",       "server": "hypercorn",        "python_version": "3.12", "deploy_target": ["kubernetes", "cloud-run"]}, "deep", "ci-steps"),
    matrix("fastapi-postgresql-k8s-cloud-run",  {"framework": "fastapi", "database": "postgresql", "server": "gunicorn-uvicorn", "workload": "cpu", "workers": "3", "deploy_target": ["kubernetes", "cloud-run"]}),
    matrix("fastapi-mysql-uvicorn-compose-k8s", {"framework": "fastapi", "database": "mysql",      "server": "uvicorn",          "deploy_target": ["compose", "kubernetes"]}),
    matrix("fastapi-none-granian-cloud-run",    {"framework": "fastapi", "database": "none",       "server": "granian",          "workers": "4", "deploy_target": ["cloud-run"], "scheduled_update": True}),
    # Celery (issue 4). The first two are also booted against the real brokers by test_celery.py.
    matrix("celery-redis-beat-flower",          {"framework": "fastapi", "database": "none",       "server": "gunicorn-uvicorn", "python_version": "3.13", "task_queue": "celery", "broker": "redis",    "result_backend": "redis", "celery_beat": True,  "flower": True, "deploy_target": ["compose", "kubernetes"]}, "ci-steps", "container", "celery-proof"),
    matrix("celery-rabbitmq-redis",             {"framework": "fastapi", "database": "none",       "server": "uvicorn",          "python_version": "3.13", "task_queue": "celery", "broker": "rabbitmq", "result_backend": "redis", "celery_beat": False, "flower": False}, "ci-steps", "celery-proof"),
    matrix("celery-rabbitmq-none-flower-pg",    {"framework": "fastapi", "database": "postgresql", "server": "gunicorn-uvicorn", "python_version": "3.13", "task_queue": "celery", "broker": "rabbitmq", "result_backend": "none",  "celery_beat": False, "flower": True, "deploy_target": ["kubernetes"]}, "ci-steps"),
    matrix("celery-redis-none-beat-sqlite",     {"framework": "fastapi", "database": "sqlite",     "server": "uvicorn",          "python_version": "3.12", "task_queue": "celery", "broker": "redis",    "result_backend": "none",  "celery_beat": True,  "flower": False}),
    # Celery for Django (config/celery.py): the first two are booted by test_celery.py too.
    matrix("django-celery-redis-beat",          {"framework": "django",  "database": "sqlite",     "server": "gunicorn",         "python_version": "3.13", "task_queue": "celery", "broker": "redis",    "result_backend": "redis", "celery_beat": True,  "flower": False}, "ci-steps", "celery-proof"),
    matrix("django-celery-rabbitmq-flower",     {"framework": "django",  "database": "postgresql", "server": "uvicorn",          "python_version": "3.12", "task_queue": "celery", "broker": "rabbitmq", "result_backend": "none",  "celery_beat": False, "flower": True, "deploy_target": ["compose", "kubernetes"]}, "ci-steps", "celery-proof"),
    # Flask (WSGI; sync SQLAlchemy on psycopg 3 / PyMySQL / sqlite3): every WSGI server and worker kind.
    matrix("flask-postgresql-gunicorn-py313",     {"framework": "flask",    "database": "postgresql", "server": "gunicorn",         "python_version": "3.13", "threads": "8"}, "deep", "ci-steps", "container", "contract", "readiness", "proxy"),
    matrix("flask-mysql-granian-py312",           {"framework": "flask",    "database": "mysql",      "server": "granian",          "python_version": "3.12"}, "deep", "ci-steps", "proxy"),
    matrix("flask-sqlite-gunicorn-cpu-py313",     {"framework": "flask",    "database": "sqlite",     "server": "gunicorn",         "python_version": "3.13", "workload": "cpu"}, "deep", "ci-steps", "contract", "bad-input", "proxy"),
    matrix("flask-none-granian-cpu-py312",        {"framework": "flask",    "database": "none",       "server": "granian",          "python_version": "3.12", "workload": "cpu", "workers": "2"}, "deep", "ci-steps", "typecheck"),
    matrix("flask-defaults",                      {"framework": "flask"}),
    matrix("flask-mysql-gunicorn-k8s-cloud-run",  {"framework": "flask",    "database": "mysql",      "server": "gunicorn",         "deploy_target": ["compose", "kubernetes", "cloud-run"]}),
    # Litestar (ASGI; async SQLAlchemy like FastAPI): the ASGI servers spread over the databases.
    matrix("litestar-postgresql-gunicorn-py313",  {"framework": "litestar", "database": "postgresql", "server": "gunicorn-uvicorn", "python_version": "3.13"}, "deep", "ci-steps", "contract", "readiness"),
    matrix("litestar-mysql-granian-py312",        {"framework": "litestar", "database": "mysql",      "server": "granian",          "python_version": "3.12"}, "deep", "ci-steps", "container"),
    matrix("litestar-sqlite-hypercorn-py313",     {"framework": "litestar", "database": "sqlite",     "server": "hypercorn",        "python_version": "3.13"}, "deep", "ci-steps", "contract", "bad-input"),
    matrix("litestar-none-gunicorn-asgi-py312",   {"framework": "litestar", "database": "none",       "server": "gunicorn-asgi",    "python_version": "3.12"}, "deep", "ci-steps", "typecheck"),
    matrix("litestar-postgresql-uvicorn-k8s",     {"framework": "litestar", "database": "postgresql", "server": "uvicorn",          "python_version": "3.12", "deploy_target": ["kubernetes", "cloud-run"]}, "ci-steps"),
    # Celery for Flask (init_celery, tasks in the app context) and Litestar (the lifespan owns it):
    # the first two are booted by test_celery.py too (two gunicorn workers: quick to boot).
    matrix("flask-celery-redis-beat",             {"framework": "flask",    "database": "sqlite",     "server": "gunicorn",         "python_version": "3.13", "workers": "2", "task_queue": "celery", "broker": "redis",    "result_backend": "redis", "celery_beat": True,  "flower": False}, "ci-steps", "celery-proof"),
    matrix("litestar-celery-rabbitmq-flower",     {"framework": "litestar", "database": "none",       "server": "granian",          "python_version": "3.12", "task_queue": "celery", "broker": "rabbitmq", "result_backend": "redis", "celery_beat": False, "flower": True, "deploy_target": ["compose", "kubernetes"]}, "ci-steps", "celery-proof"),
    matrix("litestar-celery-redis-none-beat",     {"framework": "litestar", "database": "postgresql", "server": "uvicorn",          "python_version": "3.13", "task_queue": "celery", "broker": "redis",    "result_backend": "none",  "celery_beat": True,  "flower": False}, "ci-steps"),
    matrix("flask-celery-rabbitmq-none-k8s",      {"framework": "flask",    "database": "none",       "server": "granian",          "python_version": "3.12", "task_queue": "celery", "broker": "rabbitmq", "result_backend": "none",  "celery_beat": False, "flower": False, "deploy_target": ["kubernetes"]}, "ci-steps"),

    # ---- server proofs (tests/test_servers.py): every (framework, server) pair offered, each WSGI worker kind
    server("fastapi-gunicorn-uvicorn",    {"framework": "fastapi",  "server": "gunicorn-uvicorn"},          "asgi", "uvloop", "supervised"),
    server("fastapi-gunicorn-asgi",       {"framework": "fastapi",  "server": "gunicorn-asgi"},             "asgi", "uvloop", "supervised"),
    server("fastapi-uvicorn",             {"framework": "fastapi",  "server": "uvicorn"},                   "asgi", "uvloop", "supervised"),
    server("fastapi-granian",             {"framework": "fastapi",  "server": "granian"},                   "asgi", "uvloop", "supervised"),
    server("fastapi-hypercorn",           {"framework": "fastapi",  "server": "hypercorn"},                 "asgi", "uvloop"),
    server("litestar-gunicorn-uvicorn",   {"framework": "litestar", "server": "gunicorn-uvicorn"},          "asgi", "uvloop", "supervised"),
    server("litestar-gunicorn-asgi",      {"framework": "litestar", "server": "gunicorn-asgi"},             "asgi", "uvloop", "supervised"),
    server("litestar-uvicorn",            {"framework": "litestar", "server": "uvicorn"},                   "asgi", "uvloop", "supervised"),
    server("litestar-granian",            {"framework": "litestar", "server": "granian"},                   "asgi", "uvloop", "supervised"),
    server("litestar-hypercorn",          {"framework": "litestar", "server": "hypercorn"},                 "asgi", "uvloop"),
    server("flask-gunicorn-gthread",      {"framework": "flask",    "server": "gunicorn", "workload": "io"},  "supervised"),
    server("flask-gunicorn-sync",         {"framework": "flask",    "server": "gunicorn", "workload": "cpu"}, "supervised"),
    server("flask-granian-wsgi",          {"framework": "flask",    "server": "granian",  "workload": "io"},  "supervised"),
    server("django-gunicorn-gthread",     {"framework": "django",   "server": "gunicorn", "workload": "io"},  "supervised"),
    server("django-gunicorn-uvicorn",     {"framework": "django",   "server": "gunicorn-uvicorn"},          "asgi", "uvloop", "supervised"),
    server("django-gunicorn-asgi",        {"framework": "django",   "server": "gunicorn-asgi"},             "asgi", "uvloop", "supervised"),
    server("django-uvicorn",              {"framework": "django",   "server": "uvicorn"},                   "asgi", "uvloop", "supervised"),
    server("django-granian",              {"framework": "django",   "server": "granian"},                   "asgi", "uvloop", "supervised"),
    server("django-hypercorn",            {"framework": "django",   "server": "hypercorn"},                 "asgi", "uvloop"),
    server("django-daphne",               {"framework": "django",   "server": "daphne"},                    "asgi"),
    # ---- bad input under each other server kind (tests/test_bad_input.py; the matrix gives one per framework)
    AnswerSet("fastapi-sqlite-gunicorn-uvicorn", {"framework": "fastapi", "database": "sqlite", "server": "gunicorn-uvicorn"}, frozenset({"bad-input"})),
    AnswerSet("fastapi-sqlite-gunicorn-asgi",    {"framework": "fastapi", "database": "sqlite", "server": "gunicorn-asgi"},    frozenset({"bad-input"})),
    AnswerSet("fastapi-sqlite-granian",          {"framework": "fastapi", "database": "sqlite", "server": "granian"},          frozenset({"bad-input"})),
    AnswerSet("fastapi-sqlite-hypercorn",        {"framework": "fastapi", "database": "sqlite", "server": "hypercorn"},        frozenset({"bad-input"})),
    # ---- golden samples: examples/<name>/ (the template's defaults besides these answers)
    golden("fastapi-postgresql",                      {}),
    golden("fastapi-none-uvicorn",                    {"database": "none", "server": "uvicorn"}),
    golden("fastapi-postgresql-granian-k8s-cloud-run", {"server": "granian", "deploy_target": ["compose", "kubernetes", "cloud-run"], "scheduled_update": True}),
    golden("django-postgresql-gunicorn",              {"framework": "django", "server": "gunicorn"}),
    golden("flask-postgresql",                        {"framework": "flask"}),
    golden("litestar-postgresql",                     {"framework": "litestar"}),
    golden("fastapi-celery-redis-beat",               {"task_queue": "celery", "broker": "redis", "celery_beat": True}),
    golden("fastapi-sqlite",                          {"database": "sqlite"}),
    golden("flask-mysql",                             {"framework": "flask", "database": "mysql"}),
    golden("django-daphne",                           {"framework": "django", "server": "daphne"}),
    # ---- upgrade paths (tests/test_upgrade.py): one per framework plus Celery, from the first release offering it
    upgrade("fastapi",       {"framework": "fastapi",  "database": "sqlite",     "server": "uvicorn"},          "0.1.0"),
    upgrade("django",        {"framework": "django",   "database": "postgresql", "server": "gunicorn"},         "0.2.0"),
    upgrade("flask",         {"framework": "flask",    "database": "mysql",      "server": "granian"},          "0.2.0"),
    upgrade("litestar",      {"framework": "litestar", "database": "postgresql", "server": "gunicorn-uvicorn"}, "0.2.0"),
    upgrade("django-celery", {"framework": "django",   "database": "sqlite",     "server": "gunicorn", **CELERY_AT_0_2}, "0.2.0"),
    # ---- the fleet's service (tests/test_fleet.py, tests/test_update_workflow.py), generated at 0.2.0 on
    AnswerSet("fleet-fastapi",                    {"framework": "fastapi", "database": "none", "server": "uvicorn"}, frozenset({"fleet"})),
]
# fmt: on

BY_NAME: dict[str, AnswerSet] = {s.name: s for s in REGISTRY}
assert len(BY_NAME) == len(REGISTRY), "answer set names must be unique"


def tagged(tag: str) -> list[AnswerSet]:
    """The sets with ``tag``, in table order."""
    return [s for s in REGISTRY if tag in s.tags]


ANSWER_SETS: list[AnswerSet] = tagged("matrix")
DEEP_SETS: list[AnswerSet] = tagged("deep")
CI_SETS: list[AnswerSet] = tagged("ci-steps")
GOLDEN_SETS: list[AnswerSet] = tagged("golden")

# Questions whose every value the deep tier must boot at least once.
DEEP_AXES: tuple[str, ...] = ("framework", "server", "database")
# Questions whose every value, for each framework, the CI-workflow run (lint, format, mypy strict,
# the project's tests) must see at least once: they change the generated code.
CI_AXES: tuple[str, ...] = ("server", "database", "task_queue", "broker", "result_backend")


def params(sets: list[AnswerSet] = ANSWER_SETS) -> list[Any]:
    """Parametrize over answer sets; each set's tests share one xdist group (one render, one
    install per worker)."""
    return [pytest.param(s, id=s.name, marks=pytest.mark.xdist_group(s.name)) for s in sets]
