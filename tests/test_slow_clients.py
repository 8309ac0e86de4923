"""Slow clients (docs/RULES.md C31): connections that send half a request and then nothing.

Every offered server (the sets tagged "servers"), booted by its Dockerfile command with one
worker, gets 64 connections that sent half a request line and headers, then a `/health` request;
then 64 requests whose headers are whole but whose body stops after 10 of 100 bytes, sent to the
test-only probe's `/__probe/body` (tests/probes/), which reads its body as an app does: on the
worker's thread for WSGI, awaiting it for ASGI. Gunicorn's WSGI workers (sync, gthread) stall on
both while those connections stay open, granian's WSGI threads on the bodies; ASGI servers on
neither. compose.yaml must put nginx in front of exactly the servers that stall, and publish only
nginx's port.

The sets tagged "proxy" (the WSGI servers with the items resource, whose POST reads a body) are
booted the same way, on their real database, with the rendered deploy/compose/nginx.conf in
front: `nginx -t` accepts it; 64 requests that stop halfway through their body stall the app when
sent to it directly, and through nginx neither those nor 64 half-sent headers delay `/health` or
a real request; a body over MAX_BODY_BYTES gets the app's JSON 413 from nginx, one at the limit
reaches the app. The nginx image cannot be pulled here, so Debian's nginx (scripts/nginx.sh) runs
the rendered file the way the image's nginx.conf includes it, inside its `http` block, with two
substitutions for loopback: the app's address and the port nginx listens on.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from helpers import (
    IN_CI,
    container_command,
    container_env,
    describe,
    free_port,
    migrated_database,
    run,
    start_server,
    wait_for_status,
    wait_healthy,
)
from matrix import AnswerSet, params, tagged
from test_servers import probe_command

pytestmark = pytest.mark.deep

Installed = Callable[[AnswerSet], Path]

CONNECTIONS = 64  # more than any generated worker has threads
STALL_SECONDS = 5.0  # `/health` silent this long counts as a stall (the HEALTHCHECK waits 3 s)
# Half a request line and headers: the blank line that ends the headers never comes.
HALF_HEADERS = b"GET /health HTTP/1.1\r\nHost: localhost\r\nUser-Agent: slow"


def half_body(path: str) -> bytes:
    """Whole headers of a POST to ``path`` that promises 100 bytes of body and sends 10."""
    return (
        f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        "Content-Length: 100\r\n\r\n"
    ).encode() + b'{"name": "'


MAX_BODY_BYTES = 1_048_576  # the generated default (settings.py, nginx.conf)
# What deploy/compose/nginx.conf says that only holds inside compose, and its loopback stand-in.
APP_ADDRESS = "http://app:8000;"
LISTEN = "listen 80;"


@contextlib.contextmanager
def half_sent(port: int, payload: bytes, count: int = CONNECTIONS) -> Iterator[None]:
    """``count`` connections to ``port`` that sent ``payload`` and then nothing, open inside."""
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sockets.append(sock)
            sock.sendall(payload)
        time.sleep(0.5)  # the server has read what was sent and waits for the rest
        yield
    finally:
        for sock in sockets:
            sock.close()


def health_seconds(base_url: str) -> float | None:
    """How long `/health` took to answer 200, or None when it stayed silent for STALL_SECONDS."""
    started = time.monotonic()
    try:
        response = httpx.get(base_url + "/health", timeout=STALL_SECONDS)
    except httpx.TimeoutException:
        return None
    assert response.status_code == 200, f"/health answered {response.status_code}"
    return time.monotonic() - started


def seconds(took: float | None) -> str:
    return "stalled" if took is None else f"{took:.3f} s"


def compose_services(project: Path) -> dict[str, Any]:
    return dict(yaml.safe_load((project / "compose.yaml").read_text())["services"])


@pytest.mark.parametrize("answer_set", params(tagged("servers")))
def test_compose_proxies_exactly_the_servers_that_stall(
    installed: Installed, answer_set: AnswerSet, tmp_path: Path
) -> None:
    project = installed(answer_set)
    argv, probe_env = probe_command(project, answer_set)
    env = container_env(project, **probe_env, WEB_CONCURRENCY="1")
    port = int(env["PORT"])
    with start_server(argv, project, env, tmp_path / "server.log") as srv:
        wait_healthy(srv)
        whole = httpx.post(srv.base_url + "/__probe/body", content=b"x" * 100, timeout=5)
        assert whole.json() == {"bytes": 100}, whole.text
        with half_sent(port, HALF_HEADERS):
            headers = health_seconds(srv.base_url)
        with half_sent(port, half_body("/__probe/body")):
            bodies = health_seconds(srv.base_url)
        after = health_seconds(srv.base_url)
        output = srv.output()[-3000:]
    measured = f"half headers: {seconds(headers)}, half bodies: {seconds(bodies)}"
    print(f"{answer_set.name}: /health with {CONNECTIONS} open, {measured}")
    assert after is not None, f"/health still silent after the connections closed\n{output}"

    services = compose_services(project)
    proxied = "proxy" in services
    assert (headers is None or bodies is None) == proxied, (
        f"/health with {CONNECTIONS} open, {measured}; compose.yaml "
        f"{'has' if proxied else 'has no'} buffering proxy\n{output}"
    )
    if proxied:
        assert "ports" not in services["app"], "the app's port is published beside the proxy"
        assert (project / "deploy" / "compose" / "nginx.conf").is_file()


# --------------------------------------------------------------------------- through nginx


def nginx_binary() -> str:
    """Debian's nginx (scripts/nginx.sh installs it); skip loudly without, fail under CI=true."""
    # /usr/sbin is not on every PATH.
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if found is None:
        reason = (
            "NGINX UNAVAILABLE: no nginx binary (run scripts/nginx.sh); the compose proxy was NOT "
            "tested"
        )
        if IN_CI:
            pytest.fail(reason + " [CI=true: failing instead of skipping]")
        pytest.skip(reason)
    return found


def loopback_nginx_conf(project: Path, workdir: Path, app_port: int, proxy_port: int) -> Path:
    """A main configuration that includes the rendered deploy/compose/nginx.conf inside its
    `http` block, as the nginx image's nginx.conf includes conf.d/default.conf. The rendered file
    changes in two places only: the app is at 127.0.0.1:``app_port`` instead of compose's
    `app:8000`, and nginx listens on 127.0.0.1:``proxy_port`` instead of the container's port 80.
    Everything this file sets itself (pid, logs, temporary files) stays inside ``workdir``."""
    server = (project / "deploy" / "compose" / "nginx.conf").read_text()
    for old, new in [
        (APP_ADDRESS, f"http://127.0.0.1:{app_port};"),
        (LISTEN, f"listen 127.0.0.1:{proxy_port};"),
    ]:
        assert server.count(old) == 1, f"nginx.conf has not exactly one {old!r}: update this test"
        server = server.replace(old, new)
    (workdir / "default.conf").write_text(server)
    temp_paths = "\n".join(
        f"    {kind}_temp_path {workdir / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    main = workdir / "nginx.conf"
    main.write_text(
        "daemon off;\n"
        f"pid {workdir / 'nginx.pid'};\n"
        "error_log stderr notice;\n"
        "events {\n    worker_connections 1024;\n}\n"
        "http {\n"
        f"    access_log {workdir / 'access.log'};\n"
        f"{temp_paths}\n"
        f"    include {workdir / 'default.conf'};\n"
        "}\n"
    )
    return main


@pytest.mark.parametrize("answer_set", params(tagged("proxy")))
def test_nginx_in_front_keeps_gunicorn_answering(
    installed: Installed, answer_set: AnswerSet, tmp_path: Path
) -> None:
    nginx = nginx_binary()
    project = installed(answer_set)
    assert "proxy" in compose_services(project), "a proxy set whose compose.yaml has no proxy"
    workdir = tmp_path / "nginx"
    workdir.mkdir()

    with migrated_database(answer_set.data["database"], project, tmp_path) as url:
        env = container_env(
            project, WEB_CONCURRENCY="1", DATABASE_URL=url, SECURE_SSL_REDIRECT="false"
        )
        app_port = int(env["PORT"])
        proxy_env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(free_port())}
        config = loopback_nginx_conf(project, workdir, app_port, int(proxy_env["PORT"]))
        nginx_cmd = [nginx, "-e", "stderr", "-p", str(workdir), "-c", str(config)]
        checked = run([*nginx_cmd, "-t"], workdir)
        assert checked.returncode == 0, describe(checked)

        argv = container_command(project)
        with (
            start_server(argv, project, env, tmp_path / "server.log") as app,
            start_server(nginx_cmd, workdir, proxy_env, tmp_path / "nginx.log") as proxy,
        ):
            wait_healthy(app)
            wait_for_status(proxy.base_url + "/health", output=proxy.output, alive=proxy.running)

            # Directly, requests that stop halfway through their body hold the threads.
            with half_sent(app_port, half_body("/items")):
                direct = health_seconds(app.base_url)
            assert health_seconds(app.base_url) is not None, app.output()[-3000:]

            # Through nginx, neither half bodies nor half headers reach the app.
            proxy_port = int(proxy_env["PORT"])
            with half_sent(proxy_port, half_body("/items")), half_sent(proxy_port, HALF_HEADERS):
                proxied = health_seconds(proxy.base_url)
                created = httpx.post(proxy.base_url + "/items", json={"name": "via nginx"})

            too_large = httpx.post(
                proxy.base_url + "/items",
                content=b" " * (MAX_BODY_BYTES + 1),
                headers={"Content-Type": "application/json"},
            )
            at_limit = httpx.post(
                proxy.base_url + "/items",
                content=b"{" + b" " * (MAX_BODY_BYTES - 2) + b"}",
                headers={"Content-Type": "application/json"},
            )
            logs = f"--- app\n{app.output()[-3000:]}\n--- nginx\n{proxy.output()[-3000:]}"

    print(
        f"{answer_set.name}: /health with {CONNECTIONS} half bodies open, directly: "
        f"{seconds(direct)}; through nginx, with as many half headers too: {seconds(proxied)}"
    )
    assert direct is None, f"the app answered in {direct} s with half bodies open: C31 changed?"
    assert proxied is not None, f"/health through nginx stalled\n{logs}"
    assert created.status_code == 201, f"{created.status_code} {created.text}\n{logs}"

    assert too_large.status_code == 413, f"{too_large.status_code} {too_large.text}\n{logs}"
    assert too_large.headers["content-type"] == "application/json"
    assert too_large.json() == {
        "detail": f"request body is larger than {MAX_BODY_BYTES} bytes (MAX_BODY_BYTES)",
        "request_id": too_large.headers["x-request-id"],
    }
    # A body at the limit passes nginx; the app answers it (422: `name` is missing).
    assert at_limit.status_code == 422, f"{at_limit.status_code} {at_limit.text[:300]}\n{logs}"
