"""Container entrypoint: export the computed worker count, then `exec` the CMD (R9, R10).

Usage: `python -m my_service.serving.entrypoint <server command...>`. It replaces itself
with the server, so the server is PID 1 and receives SIGTERM directly.
"""

import os
import sys
from collections.abc import MutableMapping, Sequence

from .concurrency import web_concurrency

# Server settings read from the environment, filled from the container's generic variables.
SERVER_ENV_FROM: dict[str, str] = {}
DEFAULTS = {"HOST": "0.0.0.0", "PORT": "8000"}  # noqa: S104 - the container's interface


def prepare_environment(env: MutableMapping[str, str]) -> None:
    for name, value in DEFAULTS.items():
        env.setdefault(name, value)
    env.setdefault("WEB_CONCURRENCY", str(web_concurrency(env)))
    for server_name, generic_name in SERVER_ENV_FROM.items():
        env.setdefault(server_name, env[generic_name])


def main(argv: Sequence[str]) -> None:
    if not argv:
        sys.exit("usage: python -m my_service.serving.entrypoint COMMAND [ARGS...]")
    prepare_environment(os.environ)
    os.execvp(argv[0], list(argv))  # noqa: S606 - replacing this process is the point


if __name__ == "__main__":
    main(sys.argv[1:])
