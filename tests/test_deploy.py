"""Fast tier: deploy targets are whole files gated by the `deploy_target` answer, and each one is
valid for its platform: Kubernetes manifests against the API schemas (kubernetes-validate,
offline, strict), the Cloud Run service against the fields Cloud Run requires, and both against
the serving rules (probes, grace period above the graceful timeout, workers, proxies)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import VENV_BIN, describe, final_stage, interface, run
from matrix import ANSWER_SETS, AnswerSet, params

Render = Callable[[AnswerSet], Path]

# Oldest Kubernetes the manifests support (the preStop `sleep` action is on by default since
# 1.30) and the newest schema kubernetes-validate ships.
KUBERNETES_VERSIONS = ["1.30.0", "1.37.0"]
PRESTOP_SLEEP_MAX = 10
CLOUD_RUN_GRACE_SECONDS = 10  # Cloud Run sends SIGKILL 10 s after SIGTERM
# The migration command per framework; Alembic unless listed (R19).
MIGRATE_COMMANDS = {"django": ["python", "manage.py", "migrate", "--noinput"]}


def with_target(target: str) -> list[Any]:
    """The answer sets that deploy to ``target`` (compose is the default)."""
    return params([s for s in ANSWER_SETS if target in s.data.get("deploy_target", ["compose"])])


def answers_of(project: Path) -> dict[str, Any]:
    return yaml.safe_load((project / ".copier-answers.yml").read_text())


def targets(project: Path) -> list[str]:
    return list(answers_of(project)["deploy_target"])


def async_workers(answers: dict[str, Any]) -> bool:
    """Whether the server runs async workers, one per CPU (R8)."""
    asgi_granian = answers["server"] == "granian" and answers["framework"] != "flask"
    return answers["server"] in {"uvicorn", "gunicorn-uvicorn", "gunicorn-asgi"} or asgi_granian


def env_of(container: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env", [])}


@pytest.mark.parametrize("answer_set", params())
def test_only_the_chosen_targets_are_rendered(rendered: Render, answer_set: AnswerSet) -> None:
    project = rendered(answer_set)
    chosen = targets(project)
    assert (project / "compose.yaml").is_file() == ("compose" in chosen)
    assert (project / "deploy" / "kubernetes").is_dir() == ("kubernetes" in chosen)
    assert (project / "deploy" / "cloud-run").is_dir() == ("cloud-run" in chosen)
    compose_proxy = "compose" in chosen and interface(project) == "wsgi"
    assert (project / "deploy" / "compose").is_dir() == compose_proxy
    if chosen == ["compose"] and not compose_proxy:
        assert not (project / "deploy").exists(), "an empty deploy/ folder was rendered"


@pytest.mark.parametrize("answer_set", with_target("compose"))
def test_compose_puts_a_buffering_proxy_in_front_of_wsgi(
    rendered: Render, answer_set: AnswerSet
) -> None:
    """C31: an app served over WSGI is reached only through nginx, which reads whole requests
    (tests/test_slow_clients.py measures both sides); every ASGI server publishes its port."""
    project = rendered(answer_set)
    services = yaml.safe_load((project / "compose.yaml").read_text())["services"]
    app = services["app"]
    if interface(project) != "wsgi":
        assert "proxy" not in services
        assert app["ports"] == ["${PORT:-8000}:8000"]
        return
    proxy = services["proxy"]
    assert "ports" not in app, "the app's port is published beside the proxy"
    assert proxy["ports"] == ["${PORT:-8000}:80"]
    assert proxy["image"].startswith("nginx:"), proxy["image"]
    assert proxy["depends_on"] == {"app": {"condition": "service_healthy"}}
    (volume,) = proxy["volumes"]
    source, target, mode = volume.split(":")
    assert (project / source).is_file() and target == "/etc/nginx/conf.d/default.conf"
    assert mode == "ro"
    trusted = app["environment"]["FORWARDED_ALLOW_IPS"]
    assert trusted not in {"*", "127.0.0.1"}, f"the proxy's network is not trusted: {trusted}"
    conf = (project / source).read_text()
    for directive in ("proxy_request_buffering on;", "client_max_body_size 1m;",
                      "proxy_pass $app;", "set $app http://app:8000;"):  # fmt: skip
        assert directive in conf, f"nginx.conf lacks {directive!r}"


@pytest.mark.parametrize("answer_set", with_target("kubernetes"))
def test_kubernetes_manifests_validate(rendered: Render, answer_set: AnswerSet) -> None:
    project = rendered(answer_set)
    manifests = sorted(str(p) for p in (project / "deploy" / "kubernetes").rglob("*.yaml"))
    for version in KUBERNETES_VERSIONS:
        proc = run(
            [str(VENV_BIN / "kubernetes-validate"), "--strict", "--quiet", "-k", version,
             *manifests],
            cwd=project,
        )  # fmt: skip
        assert proc.returncode == 0, describe(proc)


@pytest.mark.parametrize("answer_set", with_target("kubernetes"))
def test_kubernetes_follows_the_serving_rules(rendered: Render, answer_set: AnswerSet) -> None:
    project = rendered(answer_set)
    answers = answers_of(project)
    folder = project / "deploy" / "kubernetes"
    docs = {
        p.relative_to(folder).as_posix(): doc
        for p in folder.rglob("*.yaml")
        for doc in yaml.safe_load_all(p.read_text())
    }
    deployment = docs["deployment.yaml"]
    pod = deployment["spec"]["template"]["spec"]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    (app,) = pod["containers"]
    env = env_of(app)
    problems: list[str] = []

    # Probes (R18): liveness never touches the database, readiness does, startup guards boot.
    probes = {k: app.get(k, {}).get("httpGet", {}).get("path") for k in
              ("livenessProbe", "readinessProbe", "startupProbe")}  # fmt: skip
    if probes != {"livenessProbe": "/health", "readinessProbe": "/health/ready",
                  "startupProbe": "/health"}:  # fmt: skip
        problems.append(f"probes: {probes}")

    # R10: preStop + the server's graceful timeout fit in the grace period.
    graceful = float(env.get("GRACEFUL_TIMEOUT", 25))
    prestop = app.get("lifecycle", {}).get("preStop", {}).get("sleep", {}).get("seconds", 0)
    if not 0 < prestop <= PRESTOP_SLEEP_MAX:
        problems.append(f"preStop sleep should give endpoints time to update, got {prestop}")
    if pod.get("terminationGracePeriodSeconds", 30) <= prestop + graceful:
        problems.append(
            f"terminationGracePeriodSeconds {pod.get('terminationGracePeriodSeconds')} must "
            f"exceed preStop {prestop} + GRACEFUL_TIMEOUT {graceful}"
        )

    # R24: the image's numeric non-root user, its port, resources.
    stage = final_stage(project)
    uid = int(stage.last("USER").args.split(":")[0])  # type: ignore[union-attr]
    security = pod.get("securityContext", {})
    if not security.get("runAsNonRoot") or security.get("runAsUser") != uid:
        problems.append(f"pod securityContext {security} should run as the image's uid {uid}")
    if app.get("securityContext", {}).get("allowPrivilegeEscalation") is not False:
        problems.append("container must set allowPrivilegeEscalation: false")
    exposed = int(stage.last("EXPOSE").args.split("/")[0])  # type: ignore[union-attr]
    if [p["containerPort"] for p in app["ports"]] != [exposed]:
        problems.append(f"containerPort {app['ports']} != EXPOSE {exposed}")
    limits = app.get("resources", {}).get("limits", {})
    if not app.get("resources", {}).get("requests") or "cpu" not in limits:
        problems.append(f"resources need requests and a cpu limit: {app.get('resources')}")

    # R8/R9: async workers = CPUs of this container, from the downward API; one-process
    # servers get no worker count; a fixed answer stays the image's default.
    kind = {"hypercorn": "single", "daphne": "single"}.get(answers["server"])
    workers = env.get("WEB_CONCURRENCY")
    if kind == "single" or answers.get("workers", "auto") != "auto":
        if workers is not None:
            problems.append(f"WEB_CONCURRENCY should not be set here: {workers}")
    elif async_workers(answers):
        ref = (workers or {}).get("resourceFieldRef", {})
        if ref.get("resource") != "limits.cpu" or ref.get("containerName") != app["name"]:
            problems.append(f"WEB_CONCURRENCY should come from limits.cpu, got {workers}")

    # R11: forwarded headers from the ingress network only.
    if env.get("FORWARDED_ALLOW_IPS") in {None, "*"}:
        problems.append(f"FORWARDED_ALLOW_IPS must be explicit: {env.get('FORWARDED_ALLOW_IPS')}")

    # The objects point at each other.
    service, hpa, pdb = docs["service.yaml"], docs["hpa.yaml"], docs["pdb.yaml"]
    if service["spec"]["selector"].items() - labels.items():
        problems.append("Service selector does not match the pod labels")
    if service["spec"]["ports"][0]["targetPort"] not in {p.get("name") for p in app["ports"]}:
        problems.append("Service targetPort is not a named container port")
    if hpa["spec"]["scaleTargetRef"]["name"] != deployment["metadata"]["name"]:
        problems.append("HPA does not target the Deployment")
    if pdb["spec"]["selector"]["matchLabels"].items() - labels.items():
        problems.append("PDB selector does not match the pod labels")

    # R19: a migration Job exactly when there is a database.
    job = docs.get("migrate/job.yaml")
    if (job is not None) != (answers["database"] != "none"):
        problems.append(f"migrate Job: {job is not None}, database: {answers['database']}")
    if job is not None:
        (migrate,) = job["spec"]["template"]["spec"]["containers"]
        expected = MIGRATE_COMMANDS.get(answers["framework"], ["alembic", "upgrade", "head"])
        if migrate.get("command") != expected:
            problems.append(f"migrate Job runs {migrate.get('command')}")
        if job["spec"]["template"]["spec"].get("restartPolicy") != "Never":
            problems.append("migrate Job should not restart in place")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("answer_set", with_target("cloud-run"))
def test_cloud_run_service(rendered: Render, answer_set: AnswerSet) -> None:
    project = rendered(answer_set)
    answers = answers_of(project)
    service = yaml.safe_load((project / "deploy" / "cloud-run" / "service.yaml").read_text())
    problems: list[str] = []
    if (service.get("apiVersion"), service.get("kind")) != ("serving.knative.dev/v1", "Service"):
        problems.append(f"not a Knative Service: {service.get('apiVersion')} {service.get('kind')}")
    if not service.get("metadata", {}).get("name"):
        problems.append("metadata.name is required")
    spec = service["spec"]["template"]["spec"]
    (app,) = spec["containers"]
    env = env_of(app)
    if not app.get("image"):
        problems.append("containers[0].image is required")
    if spec.get("containerConcurrency") != 80:
        problems.append(f"containerConcurrency {spec.get('containerConcurrency')} != 80 (R9)")
    if "PORT" in env:
        problems.append("PORT is injected by Cloud Run and must not be set")
    if len(app.get("ports", [])) != 1:
        problems.append("exactly one container port (Cloud Run's PORT)")
    if env.get("FORWARDED_ALLOW_IPS") != "*":
        problems.append("Cloud Run's front end needs FORWARDED_ALLOW_IPS='*' (R11)")
    if float(env.get("GRACEFUL_TIMEOUT", 25)) >= CLOUD_RUN_GRACE_SECONDS:
        problems.append(f"GRACEFUL_TIMEOUT must be below Cloud Run's {CLOUD_RUN_GRACE_SECONDS}s")
    cpu = app.get("resources", {}).get("limits", {}).get("cpu")
    if cpu is None:
        problems.append("resources.limits.cpu is required (workers follow it)")
    async_auto = async_workers(answers) and answers.get("workers", "auto") == "auto"
    if async_auto and env.get("WEB_CONCURRENCY") != cpu:
        problems.append(f"WEB_CONCURRENCY {env.get('WEB_CONCURRENCY')} != cpu limit {cpu} (R9)")
    if not async_auto and "WEB_CONCURRENCY" in env:
        problems.append("WEB_CONCURRENCY set although the image computes or fixes it")
    for probe in ("startupProbe", "livenessProbe"):
        if app.get(probe, {}).get("httpGet", {}).get("path") != "/health":
            problems.append(f"{probe} should GET /health")
    assert not problems, "\n".join(problems)


def with_celery_and_database() -> list[Any]:
    def wanted(answers: AnswerSet) -> bool:
        data = answers.data
        return data.get("task_queue") == "celery" and data.get("database", "postgresql") != "none"

    return params([answers for answers in ANSWER_SETS if wanted(answers)])


@pytest.mark.parametrize("answer_set", with_celery_and_database())
def test_celery_workers_reach_the_apps_database(rendered: Render, answer_set: AnswerSet) -> None:
    """Tasks may use the database: the worker gets the app's DATABASE_URL (and, for SQLite, the
    app's volume) on every deploy target."""
    project = rendered(answer_set)
    chosen = targets(project)
    if "compose" in chosen:
        services = yaml.safe_load((project / "compose.yaml").read_text())["services"]
        app, worker = services["app"], services["worker"]
        assert worker["environment"]["DATABASE_URL"] == app["environment"]["DATABASE_URL"]
        assert set(app.get("volumes", [])) <= set(worker.get("volumes", []))
        if "migrate" in services:
            migrated = {"condition": "service_completed_successfully"}
            assert worker["depends_on"]["migrate"] == migrated
    if "kubernetes" in chosen:
        kubernetes = project / "deploy" / "kubernetes"
        manifests = {
            path.name: yaml.safe_load(path.read_text())
            for path in (kubernetes / "deployment.yaml", kubernetes / "worker.yaml")
        }
        app_env, worker_env = (
            env_of(m["spec"]["template"]["spec"]["containers"][0]) for m in manifests.values()
        )
        assert worker_env["DATABASE_URL"] == app_env["DATABASE_URL"]
