"""Container entrypoint: check the settings, export the computed worker count, then `exec` the CMD
(R9, R10, R25).

Usage: `python -m my_service.serving.entrypoint <server command...>`. It replaces itself
with the server, so the server is PID 1 and receives SIGTERM directly.
"""

import os
import sys
from collections.abc import Mapping, MutableMapping, Sequence
from pathlib import Path

from ..settings import settings_or_exit
from .concurrency import web_concurrency

# The container's generic settings and their defaults. GRACEFUL_TIMEOUT: seconds a stopping
# server gives requests in flight; keep it below the orchestrator's grace period (R10): 30 s in
# compose and Kubernetes by default, 10 s on Cloud Run.
DEFAULTS = {
    "HOST": "0.0.0.0",  # noqa: S104 - the container's interface
    "PORT": "8000",
    "GRACEFUL_TIMEOUT": "25",
}
# The server's own logging (its supervisor never loads the app): the app's handler and format.
LOG_CONFIG = Path(__file__).with_name("server_logging.json")
# Server settings read from the environment, filled from the generic settings above.
SERVER_ENV_FROM: dict[str, str] = {}


def setting(name: str, env: Mapping[str, str] = os.environ) -> str:
    """A generic setting from the environment, else its default."""
    return env.get(name, DEFAULTS[name])


def prepare_environment(env: MutableMapping[str, str]) -> None:
    for name, value in DEFAULTS.items():
        env.setdefault(name, value)
    env.setdefault("WEB_CONCURRENCY", str(web_concurrency(env)))
    for server_name, generic_name in SERVER_ENV_FROM.items():
        env.setdefault(server_name, env[generic_name])


def main(argv: Sequence[str]) -> None:
    if not argv:
        sys.exit("usage: python -m my_service.serving.entrypoint COMMAND [ARGS...]")
    settings_or_exit()  # one clear line and exit 1 on an invalid setting, before any server runs
    prepare_environment(os.environ)
    os.execvp(argv[0], list(argv))  # noqa: S606 - replacing this process is the point


if __name__ == "__main__":
    main(sys.argv[1:])
