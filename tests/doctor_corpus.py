"""The doctor's fixture corpus: one small repository per framework that serves correctly, and
cases that each seed one mistake into it (``bad``) next to the twin without it (``good``).

A case's files replace or add to its framework's base repository; ``None`` deletes a file.
``tests/test_doctor.py`` writes each twin out, runs the doctor, and checks that ``bad`` has a
finding of the case's rule and ``good`` has no finding at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

HEALTHCHECK = (
    'HEALTHCHECK CMD ["python", "-c", '
    "\"import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')\"]"
)


def dockerfile(cmd: str, *, user: str = "USER 999:999", extra: str = "") -> str:
    return (
        "FROM python:3.13-slim\n"
        "WORKDIR /app\n"
        "COPY . /app\n"
        "RUN pip install --no-cache-dir .\n"
        f"{extra}"
        f"{user}\n"
        "EXPOSE 8000\n"
        f"{HEALTHCHECK}\n"
        f"{cmd}\n"
    )


def compose(extra: str = "", *, app: str = "", services: str = "") -> str:
    return (
        "services:\n"
        "  app:\n"
        "    build: .\n"
        "    restart: unless-stopped\n"
        "    stop_grace_period: 40s\n"
        f"{app}"
        "    environment:\n"
        "      FORWARDED_ALLOW_IPS: 10.0.0.0/8\n"
        f"{extra}"
        f"{services}"
    )


def pyproject(*deps: str) -> str:
    listed = "".join(f'  "{d}",\n' for d in deps)
    return f'[project]\nname = "svc"\nversion = "1.0"\ndependencies = [\n{listed}]\n'


FASTAPI_MAIN = """\
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.http = httpx.AsyncClient()
    yield
    await app.state.http.aclose()


app = FastAPI(lifespan=lifespan)


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}
"""

LITESTAR_APP = """\
from litestar import Litestar, get


@get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


app = Litestar([health])
"""

FLASK_APP = """\
from flask import Flask

app = Flask(__name__)


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
"""

DJANGO_WSGI = """\
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
"""
DJANGO_ASGI = DJANGO_WSGI.replace("wsgi", "asgi")
DJANGO_SETTINGS = """\
import os

SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = False
ROOT_URLCONF = "config.urls"
"""
DJANGO_VIEWS = """\
from django.http import JsonResponse


def health(request):
    return JsonResponse({"status": "ok"})
"""

GUNICORN_UVICORN = (
    'CMD ["gunicorn", "--worker-class", "uvicorn_worker.UvicornWorker", "svc.main:app"]'
)

BASES: dict[str, dict[str, str]] = {
    "fastapi": {
        "pyproject.toml": pyproject(
            "fastapi", "gunicorn", "uvicorn[standard]", "uvicorn-worker", "httpx"
        ),
        "src/svc/__init__.py": "",
        "src/svc/main.py": FASTAPI_MAIN,
        "Dockerfile": dockerfile(GUNICORN_UVICORN),
        "compose.yaml": compose(),
    },
    "litestar": {
        "pyproject.toml": pyproject("litestar", "granian"),
        "src/svc/__init__.py": "",
        "src/svc/app.py": LITESTAR_APP,
        "Dockerfile": dockerfile(
            'CMD ["granian", "--interface", "asgi", "--respawn-failed-workers", '
            '"--workers-kill-timeout", "20", "svc.app:app"]'
        ),
        "compose.yaml": compose(),
    },
    "flask": {
        "pyproject.toml": pyproject("flask", "gunicorn"),
        "src/svc/__init__.py": "",
        "src/svc/app.py": FLASK_APP,
        "Dockerfile": dockerfile('CMD ["gunicorn", "--worker-class", "gthread", "svc.app:app"]'),
        "compose.yaml": compose(),
    },
    "django": {
        "pyproject.toml": pyproject("django", "gunicorn"),
        "manage.py": "import sys\n\n"
        "from django.core.management import execute_from_command_line\n\n"
        "execute_from_command_line(sys.argv)\n",
        "config/__init__.py": "",
        "config/settings.py": DJANGO_SETTINGS,
        "config/wsgi.py": DJANGO_WSGI,
        "config/asgi.py": DJANGO_ASGI,
        "svc/__init__.py": "",
        "svc/views.py": DJANGO_VIEWS,
        "Dockerfile": dockerfile('CMD ["gunicorn", "config.wsgi:application"]'),
        "compose.yaml": compose(),
    },
}


@dataclass(frozen=True)
class Case:
    name: str
    rule: str
    framework: str
    bad: dict[str, str | None]
    good: dict[str, str | None] = field(default_factory=dict)

    def files(self, twin: str) -> dict[str, str]:
        out = dict(BASES[self.framework])
        for path, text in (self.bad if twin == "bad" else self.good).items():
            if text is None:
                out.pop(path, None)
            else:
                out[path] = text
        return out

    def write(self, twin: str, root: Path) -> Path:
        for path, text in self.files(twin).items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        return root


def fastapi_with(body: str, imports: str = "") -> str:
    """The FastAPI base app with more code appended (and imports on top)."""
    return imports + FASTAPI_MAIN + "\n\n" + body


K8S_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc
spec:
  replicas: 2
  selector:
    matchLabels: {{app: svc}}
  template:
    metadata:
      labels: {{app: svc}}
    spec:
      terminationGracePeriodSeconds: 40
      containers:
        - name: app
          image: svc:latest
{container}          resources:
            limits:
              cpu: "1"
              memory: 1Gi
"""


def k8s(container: str = "") -> str:
    return K8S_DEPLOYMENT.format(container=container)


# An entrypoint that hands the generic GRACEFUL_TIMEOUT (default 25 s) to uvicorn, as plinth's does.
ENTRYPOINT = """\
import os
import sys

DEFAULTS = {"GRACEFUL_TIMEOUT": "25"}

if __name__ == "__main__":
    timeout = os.environ.get("GRACEFUL_TIMEOUT", DEFAULTS["GRACEFUL_TIMEOUT"])
    os.environ.setdefault("UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN", timeout)
    os.execvp(sys.argv[1], sys.argv[1:])
"""

CELERY_GOOD = """\
from celery import Celery

app = Celery("svc", broker="redis://redis:6379/0")
app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    broker_transport_options={"visibility_timeout": 1800},
)
"""

CELERY_COMPOSE = """\
  worker:
    build: .
    restart: unless-stopped
    command: ["celery", "--app", "svc.tasks", "worker"]
  beat:
    build: .
    restart: unless-stopped
    command: ["celery", "--app", "svc.tasks", "beat"]
"""

CASES: list[Case] = [
    # R2: an ASGI app behind a WSGI worker or interface
    Case(
        "fastapi-gunicorn-sync-worker",
        "R2",
        "fastapi",
        {"Dockerfile": dockerfile('CMD ["gunicorn", "svc.main:app"]')},
    ),
    Case(
        "litestar-granian-default-rsgi",
        "R2",
        "litestar",
        {
            "Dockerfile": dockerfile(
                'CMD ["granian", "--respawn-failed-workers", '
                '"--workers-kill-timeout", "20", "svc.app:app"]'
            )
        },
    ),
    Case(
        "django-asgi-gunicorn-gthread",
        "R2",
        "django",
        {"Dockerfile": dockerfile('CMD ["gunicorn", "-k", "gthread", "config.asgi:application"]')},
        {
            "Dockerfile": dockerfile(
                'CMD ["gunicorn", "-k", "uvicorn_worker.UvicornWorker", "config.asgi:application"]'
            ),
            "pyproject.toml": pyproject(
                "django", "gunicorn", "uvicorn-worker", "uvicorn[standard]"
            ),
        },
    ),
    # R3: a WSGI app behind an ASGI server
    Case(
        "flask-uvicorn",
        "R3",
        "flask",
        {"Dockerfile": dockerfile('CMD ["uvicorn", "--workers", "2", "svc.app:app"]')},
    ),
    Case(
        "django-wsgi-uvicorn-worker",
        "R3",
        "django",
        {
            "Dockerfile": dockerfile(
                'CMD ["gunicorn", "-k", "uvicorn_worker.UvicornWorker", "config.wsgi:application"]'
            )
        },
    ),
    # R4: development servers and reload
    Case(
        "fastapi-python-main",
        "R4",
        "fastapi",
        {
            "Dockerfile": dockerfile('CMD ["python", "main.py"]'),
            "main.py": "import uvicorn\n\nfrom svc.main import app\n\n"
            'if __name__ == "__main__":\n    uvicorn.run(app, host="0.0.0.0")\n',
        },
    ),
    Case(
        "flask-run-in-compose",
        "R4",
        "flask",
        {"compose.yaml": compose(app='    command: ["flask", "--app", "svc.app", "run"]\n')},
    ),
    Case(
        "django-runserver-procfile",
        "R4",
        "django",
        {"Procfile": "web: python manage.py runserver 0.0.0.0:$PORT\n"},
        {"Procfile": "web: gunicorn --graceful-timeout 25 config.wsgi:application\n"},
    ),
    Case(
        "litestar-reload-in-kubernetes",
        "R4",
        "litestar",
        {
            "deploy/deployment.yaml": k8s(
                '          args: ["granian", "--interface", "asgi", "--reload", "svc.app:app"]\n'
            )
        },
        {"deploy/deployment.yaml": k8s()},
    ),
    # R5: deprecated worker, uvicorn without [standard]
    Case(
        "fastapi-seed-uvicorn-workers",
        "R5",
        "fastapi",
        {
            "Dockerfile": dockerfile(
                'CMD ["gunicorn", "main:app", "--workers", "4", '
                '"--worker-class", "uvicorn.workers.UvicornWorker"]'
            )
        },
    ),
    Case(
        "litestar-uvicorn-without-standard",
        "R5",
        "litestar",
        {
            "pyproject.toml": pyproject("litestar", "uvicorn"),
            "Dockerfile": dockerfile(
                'CMD ["uvicorn", "svc.app:app", "--workers", "2", '
                '"--timeout-graceful-shutdown", "20"]'
            ),
        },
        {
            "pyproject.toml": pyproject("litestar", "uvicorn[standard]"),
            "Dockerfile": dockerfile(
                'CMD ["uvicorn", "svc.app:app", "--timeout-graceful-shutdown", "20"]'
            ),
        },
    ),
    # R6: nothing restarts a dead single process
    Case(
        "fastapi-uvicorn-no-restart",
        "R6",
        "fastapi",
        {
            "compose.yaml": None,
            "Dockerfile": dockerfile(
                'CMD ["uvicorn", "svc.main:app", "--timeout-graceful-shutdown", "20"]'
            ),
        },
        {
            "Dockerfile": dockerfile(
                'CMD ["uvicorn", "svc.main:app", "--timeout-graceful-shutdown", "20"]'
            )
        },
    ),
    Case(
        "django-hypercorn-compose-no-restart",
        "R6",
        "django",
        {
            "compose.yaml": "services:\n  app:\n    build: .\n",
            "Dockerfile": dockerfile('CMD ["hypercorn", "config.asgi:application"]'),
        },
        {"Dockerfile": dockerfile('CMD ["hypercorn", "config.asgi:application"]')},
    ),
    # R7: hard-coded or host CPU counts
    Case(
        "flask-gunicorn-conf-cpu-count",
        "R7",
        "flask",
        {
            "gunicorn.conf.py": "import multiprocessing\n\n"
            "workers = multiprocessing.cpu_count() * 2 + 1\n"
            'worker_class = "gthread"\n'
        },
        {"gunicorn.conf.py": 'worker_class = "gthread"\n'},
    ),
    Case(
        "fastapi-workers-hard-coded",
        "R7",
        "fastapi",
        {
            "Dockerfile": dockerfile(
                'CMD ["gunicorn", "--worker-class", '
                '"uvicorn_worker.UvicornWorker", "--workers", "4", "svc.main:app"]'
            )
        },
    ),
    # R8: more workers than the pod's CPU limit allows
    Case(
        "fastapi-4-workers-on-1-cpu-pod",
        "R8",
        "fastapi",
        {
            "deploy/deployment.yaml": k8s(
                '          args: ["uvicorn", "svc.main:app", "--workers", "4",'
                ' "--timeout-graceful-shutdown", "20"]\n'
            )
        },
        {
            "deploy/deployment.yaml": k8s(
                '          args: ["uvicorn", "svc.main:app",'
                ' "--timeout-graceful-shutdown", "20"]\n'
                "          env:\n"
                "            - name: WEB_CONCURRENCY\n"
                '              value: "1"\n'
            )
        },
    ),
    # R9: WEB_CONCURRENCY for a server that ignores it
    Case(
        "litestar-granian-web-concurrency",
        "R9",
        "litestar",
        {"compose.yaml": compose('      WEB_CONCURRENCY: "4"\n')},
    ),
    # R10: shell form, graceful timeout not below the grace period
    Case(
        "flask-shell-form-cmd",
        "R10",
        "flask",
        {"Dockerfile": dockerfile("CMD gunicorn --worker-class gthread svc.app:app")},
    ),
    Case(
        "fastapi-uvicorn-waits-forever",
        "R10",
        "fastapi",
        {"deploy/deployment.yaml": k8s('          args: ["uvicorn", "svc.main:app"]\n')},
        {
            "deploy/deployment.yaml": k8s(
                '          args: ["uvicorn", "svc.main:app", "--timeout-graceful-shutdown", "25"]\n'
            )
        },
    ),
    Case(
        "django-compose-default-grace",
        "R10",
        "django",
        {"compose.yaml": compose().replace("    stop_grace_period: 40s\n", "")},
    ),
    Case(
        "fastapi-entrypoint-graceful-default",
        "R10",
        "fastapi",
        {
            "src/svc/entrypoint.py": ENTRYPOINT,
            "Dockerfile": dockerfile(
                'ENTRYPOINT ["python", "-m", "svc.entrypoint"]\nCMD ["uvicorn", "svc.main:app"]'
            ),
            "compose.yaml": compose().replace("stop_grace_period: 40s", "stop_grace_period: 20s"),
        },
        {
            "src/svc/entrypoint.py": ENTRYPOINT,
            "Dockerfile": dockerfile(
                'ENTRYPOINT ["python", "-m", "svc.entrypoint"]\nCMD ["uvicorn", "svc.main:app"]'
            ),
        },
    ),
    # R11: forwarded headers from anyone
    Case(
        "fastapi-forwarded-allow-ips-star",
        "R11",
        "fastapi",
        {
            "Dockerfile": dockerfile(
                'CMD ["uvicorn", "svc.main:app", "--forwarded-allow-ips", "*",'
                ' "--timeout-graceful-shutdown", "20"]'
            )
        },
        {
            "Dockerfile": dockerfile(
                'CMD ["uvicorn", "svc.main:app", "--forwarded-allow-ips",'
                ' "10.0.0.0/8", "--timeout-graceful-shutdown", "20"]'
            )
        },
    ),
    Case(
        "flask-compose-forwarded-star",
        "R11",
        "flask",
        {"compose.yaml": compose().replace("10.0.0.0/8", '"*"')},
    ),
    # R12: blocking calls on the event loop
    Case(
        "fastapi-async-time-sleep",
        "R12",
        "fastapi",
        {
            "src/svc/main.py": fastapi_with(
                '@app.get("/slow")\nasync def slow() -> dict[str, str]:\n'
                "    time.sleep(1)\n    return {}\n",
                "import time\n",
            )
        },
        {
            "src/svc/main.py": fastapi_with(
                '@app.get("/slow")\nasync def slow() -> dict[str, str]:\n'
                "    await asyncio.sleep(1)\n    return {}\n",
                "import asyncio\n",
            )
        },
    ),
    Case(
        "fastapi-requests-one-call-away",
        "R12",
        "fastapi",
        {
            "src/svc/rates.py": "import requests\n\n\ndef fetch_rate() -> float:\n"
            "    return requests.get('https://rates.example').json()['rate']\n",
            "src/svc/main.py": fastapi_with(
                '@app.get("/rate")\nasync def rate() -> dict[str, float]:\n'
                '    await asyncio.sleep(0)\n    return {"rate": fetch_rate()}\n',
                "import asyncio\n\nfrom svc.rates import fetch_rate\n",
            ),
        },
        {
            "src/svc/rates.py": "import requests\n\n\ndef fetch_rate() -> float:\n"
            "    return requests.get('https://rates.example').json()['rate']\n",
            "src/svc/main.py": fastapi_with(
                '@app.get("/rate")\nasync def rate() -> dict[str, float]:\n'
                '    return {"rate": await asyncio.to_thread(fetch_rate)}\n',
                "import asyncio\n\nfrom svc.rates import fetch_rate\n",
            ),
        },
    ),
    Case(
        "litestar-sync-driver-in-handler",
        "R12",
        "litestar",
        {
            "src/svc/app.py": "import sqlite3\n\n"
            + LITESTAR_APP.replace(
                '    return {"status": "ok"}',
                '    sqlite3.connect("/tmp/db").close()\n    return {"status": "ok"}',
            )
        },
    ),
    Case(
        "fastapi-async-never-awaits",
        "R12",
        "fastapi",
        {
            "src/svc/main.py": fastapi_with(
                "def checksum(n: int) -> int:\n    return sum(i * i for i in range(n))\n\n\n"
                '@app.get("/sum")\nasync def total() -> dict[str, int]:\n'
                '    return {"sum": checksum(10_000_000)}\n'
            )
        },
        {
            "src/svc/main.py": fastapi_with(
                "def checksum(n: int) -> int:\n    return sum(i * i for i in range(n))\n\n\n"
                '@app.get("/sum")\ndef total() -> dict[str, int]:\n'
                '    return {"sum": checksum(10_000_000)}\n'
            )
        },
    ),
    # R13: thread-pool size at import
    Case(
        "fastapi-thread-limiter-at-import",
        "R13",
        "fastapi",
        {
            "src/svc/main.py": fastapi_with(
                "anyio.to_thread.current_default_thread_limiter().total_tokens = 100\n",
                "import anyio.to_thread\n",
            )
        },
        {
            "src/svc/main.py": FASTAPI_MAIN.replace(
                "    app.state.http = httpx.AsyncClient()\n",
                "    anyio.to_thread.current_default_thread_limiter().total_tokens = 100\n"
                "    app.state.http = httpx.AsyncClient()\n",
            ).replace("import httpx\n", "import anyio.to_thread\nimport httpx\n")
        },
    ),
    # R15: HTTP clients per request or at import
    Case(
        "fastapi-client-per-request",
        "R15",
        "fastapi",
        {
            "src/svc/main.py": fastapi_with(
                '@app.get("/up")\nasync def up() -> dict[str, int]:\n'
                "    async with httpx.AsyncClient() as client:\n"
                '        r = await client.get("https://example.org")\n'
                '    return {"status": r.status_code}\n'
            )
        },
        {
            "src/svc/main.py": fastapi_with(
                '@app.get("/up")\nasync def up(request: Request) -> dict[str, int]:\n'
                '    r = await request.app.state.http.get("https://example.org")\n'
                '    return {"status": r.status_code}\n',
                "from fastapi import Request\n",
            )
        },
    ),
    Case(
        "flask-session-at-import",
        "R15",
        "flask",
        {"src/svc/app.py": "import requests\n\n" + FLASK_APP + "\nsession = requests.Session()\n"},
    ),
    # R16: on_event, pools at import
    Case(
        "fastapi-on-event",
        "R16",
        "fastapi",
        {
            "src/svc/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
            '@app.on_event("startup")\nasync def start() -> None:\n    pass\n'
        },
    ),
    Case(
        "litestar-engine-at-import",
        "R16",
        "litestar",
        {
            "src/svc/db.py": "from sqlalchemy.ext.asyncio import create_async_engine\n\n"
            'engine = create_async_engine("postgresql+asyncpg://db/app")\n'
        },
        {
            "src/svc/db.py": "from sqlalchemy.ext.asyncio import AsyncEngine\n"
            "from sqlalchemy.ext.asyncio import create_async_engine\n\n\n"
            "def build_engine(url: str) -> AsyncEngine:\n"
            "    return create_async_engine(url)\n"
        },
    ),
    # R17: sync driver under an async framework
    Case(
        "fastapi-psycopg2",
        "R17",
        "fastapi",
        {
            "pyproject.toml": pyproject(
                "fastapi",
                "gunicorn",
                "uvicorn[standard]",
                "uvicorn-worker",
                "httpx",
                "psycopg2-binary",
            ),
            "src/svc/db.py": "from sqlalchemy import create_engine\n\n\ndef build(url: str):\n"
            "    return create_engine(url)\n",
        },
        {
            "pyproject.toml": pyproject(
                "fastapi", "gunicorn", "uvicorn[standard]", "uvicorn-worker", "httpx", "asyncpg"
            ),
            "src/svc/db.py": "from sqlalchemy.ext.asyncio import create_async_engine\n\n\n"
            "def build(url: str):\n    return create_async_engine(url)\n",
        },
    ),
    # R19: migrations in the start command
    Case(
        "fastapi-migrate-then-serve",
        "R19",
        "fastapi",
        {
            "compose.yaml": compose(
                app='    command: ["sh", "-c", "alembic upgrade head && exec '
                'gunicorn -k uvicorn_worker.UvicornWorker svc.main:app"]\n'
            )
        },
        {
            "compose.yaml": compose(
                services='  migrate:\n    build: .\n    command: ["alembic", "upgrade", "head"]\n'
            )
        },
    ),
    Case(
        "django-entrypoint-script-migrates",
        "R19",
        "django",
        {
            "start.sh": "#!/bin/sh\nset -e\npython manage.py migrate --noinput\n"
            "exec gunicorn config.wsgi:application\n",
            "Dockerfile": dockerfile('CMD ["./start.sh"]'),
        },
    ),
    # R20 / R21 / R22: Celery
    Case(
        "flask-celery-defaults",
        "R20",
        "flask",
        {
            "src/svc/tasks.py": "from celery import Celery\n\n"
            'app = Celery("svc", broker="amqp://rabbit//")\n'
        },
        {"src/svc/tasks.py": CELERY_GOOD},
    ),
    Case(
        "fastapi-celery-redis-no-visibility",
        "R21",
        "fastapi",
        {
            "src/svc/tasks.py": CELERY_GOOD.replace(
                '    broker_transport_options={"visibility_timeout": 1800},\n', ""
            )
        },
        {"src/svc/tasks.py": CELERY_GOOD},
    ),
    Case(
        "django-two-beats",
        "R22",
        "django",
        {
            "svc/tasks.py": CELERY_GOOD,
            "compose.yaml": compose(
                services=CELERY_COMPOSE.replace('"worker"]', '"worker", "-B"]')
            ),
        },
        {"svc/tasks.py": CELERY_GOOD, "compose.yaml": compose(services=CELERY_COMPOSE)},
    ),
    # R24: root
    Case(
        "litestar-root-user",
        "R24",
        "litestar",
        {"Dockerfile": BASES["litestar"]["Dockerfile"].replace("USER 999:999\n", "")},
    ),
    Case(
        "flask-distroless-without-nonroot",
        "R24",
        "flask",
        {
            "Dockerfile": "ARG RUN_IMAGE=gcr.io/distroless/python3-debian12\n"
            + dockerfile(
                'CMD ["gunicorn", "--worker-class", "gthread", "svc.app:app"]', user=""
            ).replace("FROM python:3.13-slim", "FROM ${RUN_IMAGE}")
        },
        {
            "Dockerfile": "ARG RUN_IMAGE=gcr.io/distroless/python3-debian12:nonroot\n"
            + dockerfile(
                'CMD ["gunicorn", "--worker-class", "gthread", "svc.app:app"]', user=""
            ).replace("FROM python:3.13-slim", "FROM ${RUN_IMAGE}")
        },
    ),
    # R25: secrets
    Case(
        "flask-secret-in-image",
        "R25",
        "flask",
        {
            "Dockerfile": dockerfile(
                'CMD ["gunicorn", "--worker-class", "gthread", "svc.app:app"]',
                extra="ENV SECRET_KEY=9f8e7d6c5b4a39281706\n",
            )
        },
    ),
    Case(
        "django-secret-in-settings",
        "R25",
        "django",
        {
            "config/settings.py": DJANGO_SETTINGS.replace(
                'os.environ["SECRET_KEY"]', '"k3y-7b1f0c9e2d8a4f6b5c3e"'
            )
        },
    ),
    # C21: a suppression must say why
    Case(
        "fastapi-suppression-without-reason",
        "C21",
        "fastapi",
        {
            "Dockerfile": dockerfile(
                "# plinth: ignore[R7]\n" + 'CMD ["gunicorn", "--worker-class", '
                '"uvicorn_worker.UvicornWorker", "--workers", "4", "svc.main:app"]'
            )
        },
        {
            "Dockerfile": dockerfile(
                "# plinth: ignore[R7] sized by the load test of 2026-11\n"
                'CMD ["gunicorn", "--worker-class", '
                '"uvicorn_worker.UvicornWorker", "--workers", "4", "svc.main:app"]'
            )
        },
    ),
]

assert len({c.name for c in CASES}) == len(CASES), "case names must be unique"
