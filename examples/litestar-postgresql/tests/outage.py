"""A database that is down until the test brings it back, to check readiness (R18) against the
real database: a TCP relay in front of a server database that refuses and breaks connections
while cut, or, for SQLite, a database file whose directory does not exist yet."""

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy.engine import make_url

DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306}


def unreachable(database_url: str) -> str:
    """The same database at an address where nothing answers (a database that is down for good)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return url.set(database="/nonexistent-dir/app.db").render_as_string(hide_password=False)
    return url.set(host="127.0.0.1", port=1).render_as_string(hide_password=False)


class DatabaseRelay:
    """Relays 127.0.0.1:<port> to the database; while cut, refuses and breaks connections."""

    def __init__(self, host: str, port: int) -> None:
        self._target = (host, port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._up = threading.Event()
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        threading.Thread(target=self._accept, daemon=True).start()

    def restore(self) -> None:
        self._up.set()

    def cut(self) -> None:
        self._up.clear()
        with self._lock:
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.cut()
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if not self._up.is_set():
                client.close()
                continue
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self._target, timeout=5)
        except OSError:
            client.close()
            return
        upstream.settimeout(None)
        with self._lock:
            self._open.update((client, upstream))
        back = threading.Thread(target=_pump, args=(upstream, client), daemon=True)
        back.start()
        _pump(client, upstream)
        back.join()
        with self._lock:
            self._open.difference_update((client, upstream))
        client.close()
        upstream.close()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            sink.sendall(data)
    for sock in (source, sink):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


@contextlib.contextmanager
def database_down(database_url: str, workdir: Path) -> Iterator[tuple[str, Callable[[], None]]]:
    """Yield `(url, bring_back)`: a URL of the test database that fails until `bring_back()`."""
    url = make_url(database_url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        later = workdir / "created-later"
        missing = url.set(database=str(later / "app.db"))
        yield missing.render_as_string(hide_password=False), later.mkdir
        return
    relay = DatabaseRelay(url.host or "127.0.0.1", url.port or DEFAULT_PORTS[backend])
    try:
        relayed = url.set(host="127.0.0.1", port=relay.port)
        yield relayed.render_as_string(hide_password=False), relay.restore
    finally:
        relay.close()
