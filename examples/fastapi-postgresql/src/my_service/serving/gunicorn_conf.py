"""Gunicorn configuration: workers from the container's allotment, graceful shutdown (R6-R11)."""

import gc
import os
import queue
import signal
from types import FrameType
from typing import Any

from my_service.serving.concurrency import web_concurrency, web_threads
from my_service.serving.entrypoint import LOG_CONFIG, setting

bind = [f"{setting('HOST')}:{setting('PORT')}"]
workers = web_concurrency()
threads = web_threads()
worker_class = "uvicorn_worker.UvicornWorker"

# Below the orchestrator's grace period: GRACEFUL_TIMEOUT, 25 s unless set (R10).
graceful_timeout = int(setting("GRACEFUL_TIMEOUT"))
timeout = 60
keepalive = 5

# Worker recycling is off unless MAX_REQUESTS is set: under load, a fixed request budget has every
# worker restart at nearly the same moment, and the service stalls while they import again. Set it
# only to contain a leak you know of; the wide jitter spreads the restarts apart.
max_requests = int(os.environ.get("MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 2

# Forwarded headers are trusted only from the proxies listed in FORWARDED_ALLOW_IPS (R11).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Logs go through the application's structured logging, the master's own lines included; no
# separate access log (the request middleware writes one line per request with its id).
accesslog = None
errorlog = "-"
logconfig_json = str(LOG_CONFIG)

# Each worker's heartbeat file lives in memory: on a read-only root filesystem (Kubernetes
# readOnlyRootFilesystem, `docker run --read-only`) gunicorn finds no writable temp dir and cannot
# start, and on overlayfs the heartbeat can stall workers. /dev/shm is a tmpfs in every Linux
# container (elsewhere, e.g. macOS, gunicorn's default stays).
HEARTBEAT_DIR = "/dev/shm"  # noqa: S108 - only gunicorn's own per-worker heartbeat files
worker_tmp_dir = HEARTBEAT_DIR if os.path.isdir(HEARTBEAT_DIR) else None

# Gunicorn >= 25.1 opens a control socket under $HOME by default; a container's non-root user
# has no writable home, and the orchestrator, not gunicornc, manages this process.
control_socket_disable = True


# Stopping within GRACEFUL_TIMEOUT (docs/serving.md C33). A worker that got SIGTERM has
# stopped serving, but Python's exit then runs full garbage collections over the whole app, about
# 0.2-0.3 s of CPU per worker: several workers on a starved CPU took the entire GRACEFUL_TIMEOUT
# and were killed at its end with nothing in flight. Those collections skip frozen objects, and
# the process is ending anyway (atexit handlers, such as closing the database pool, still run).
def worker_exit(server: Any, worker: Any) -> None:
    gc.freeze()


def on_exit(server: Any) -> None:
    gc.freeze()  # the master's own exit, likewise


# A worker forked just before the master is told to stop can miss its SIGTERM: until it installs
# its own handlers it still runs the master's, which queue the signal where nobody reads it
# (gunicorn issue #1910), and it then serves on until it is killed at GRACEFUL_TIMEOUT. Stop
# signals from that window are kept and raised again once the worker's own handlers are in place.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT)
_stop_signals_before_handlers: list[int] = []


def _keep_stop_signal(signum: int, frame: FrameType | None) -> None:
    _stop_signals_before_handlers.append(signum)


def post_fork(server: Any, worker: Any) -> None:
    master_queue = getattr(server, "SIG_QUEUE", None)  # this process's copy of it
    while isinstance(master_queue, queue.SimpleQueue):
        try:
            signum = master_queue.get_nowait()
        except queue.Empty:
            break
        if signum in STOP_SIGNALS:
            _stop_signals_before_handlers.append(signum)
    for signum in STOP_SIGNALS:
        signal.signal(signum, _keep_stop_signal)


def post_worker_init(worker: Any) -> None:
    for signum in dict.fromkeys(_stop_signals_before_handlers):
        signal.raise_signal(signum)
