"""Gunicorn configuration: workers from the container's allotment, graceful shutdown (R6-R11)."""

import os

from my_service.serving.concurrency import web_concurrency, web_threads
from my_service.serving.entrypoint import setting

bind = [f"{setting('HOST')}:{setting('PORT')}"]
workers = web_concurrency()
threads = web_threads()
worker_class = "gthread"

# Below the orchestrator's grace period: GRACEFUL_TIMEOUT, 25 s unless set (R10).
graceful_timeout = int(setting("GRACEFUL_TIMEOUT"))
timeout = 60
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow without bound; jitter avoids a herd.
max_requests = 10_000
max_requests_jitter = 1_000

# Forwarded headers are trusted only from the proxies listed in FORWARDED_ALLOW_IPS (R11).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Logs go through the application's structured logging; no separate access log (the request
# middleware writes one line per request with its id).
accesslog = None
errorlog = "-"

# Gunicorn >= 25.1 opens a control socket under $HOME by default; a container's non-root user
# has no writable home, and the orchestrator, not gunicornc, manages this process.
control_socket_disable = True
