"""Gunicorn configuration: workers from the container's allotment, graceful shutdown (R6-R11)."""

import os

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
