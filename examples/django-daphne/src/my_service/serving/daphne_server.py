"""Run Daphne with HOST/PORT from the environment and a graceful SIGTERM (R6, R10).

Daphne reads no environment variables, and on SIGTERM it cancels the requests still in flight.
This launcher passes HOST and PORT on Daphne's command line and, on SIGTERM, stops listening and
gives in-flight requests up to GRACEFUL_TIMEOUT seconds (25 unless set) to finish before Daphne
cancels what is left: below the orchestrator's grace period. Daphne runs one process per container;
the orchestrator restarts it and replicas add capacity (R6).

Usage (the image's CMD): `python -m my_service.serving.daphne_server APP [DAPHNE OPTIONS]`.
"""

import asyncio
import sys
from collections.abc import Sequence
from typing import Any

from daphne.cli import CommandLineInterface
from daphne.server import Server
from twisted.internet import defer

from .entrypoint import setting


class GracefulServer(Server):  # type: ignore[misc]  # daphne ships no type information
    """Daphne's server: in-flight requests drain before it cancels them; no access log."""

    def log_action(self, protocol: str, action: str, details: dict[str, Any]) -> None:
        """No access line: the request middleware logs each request, structured, with its id;
        Daphne's would repeat it in plain text."""

    def listen_success(self, port: Any) -> None:
        self.listening_ports = [*getattr(self, "listening_ports", []), port]
        super().listen_success(port)

    def kill_all_applications(self) -> "defer.Deferred[None]":
        return defer.Deferred.fromFuture(asyncio.ensure_future(self._drain()))

    async def _drain(self) -> None:
        for port in getattr(self, "listening_ports", []):
            port.stopListening()
        in_flight = [
            details["application_instance"]
            for details in self.connections.values()
            if details.get("application_instance") is not None
        ]
        if in_flight:
            await asyncio.wait(in_flight, timeout=float(setting("GRACEFUL_TIMEOUT")))
        await super().kill_all_applications().asFuture(asyncio.get_running_loop())


class GracefulCommandLine(CommandLineInterface):  # type: ignore[misc]
    server_class = GracefulServer


def main(argv: Sequence[str]) -> None:
    GracefulCommandLine().run(["--bind", setting("HOST"), "--port", setting("PORT"), *argv])


if __name__ == "__main__":
    main(sys.argv[1:])
