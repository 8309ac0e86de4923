"""The app with X-Forwarded-For/-Proto trusted only from FORWARDED_ALLOW_IPS (R11).

gunicorn does not take the client address from the headers of trusted proxies by itself, so
the container serves this module's `app`: the application wrapped by a middleware that rewrites
the client address and scheme only when the peer is a listed proxy, as uvicorn does natively.
FORWARDED_ALLOW_IPS is a comma-separated list of addresses and networks (`10.0.0.0/8`), or `*`.
"""

import functools
import ipaddress
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

from my_service.wsgi import app as application

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


class TrustedProxies:
    """The peers whose X-Forwarded-* headers count: addresses and networks, or `*` for all."""

    def __init__(self, allowed: str) -> None:
        entries = [entry.strip() for entry in allowed.split(",") if entry.strip()]
        self.everyone = "*" in entries
        # A bad entry fails at startup rather than silently trusting nobody (R25).
        self.networks = [ipaddress.ip_network(e, strict=False) for e in entries if e != "*"]
        # Every request asks about its peer, and the peers in front of a service are few.
        self._trusted = functools.lru_cache(maxsize=1024)(self._is_trusted)

    def __contains__(self, host: object) -> bool:
        return self.everyone or self._trusted(str(host))

    def _is_trusted(self, host: str) -> bool:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.networks)


def forwarded_client(forwarded_for: str, proxies: TrustedProxies) -> str | None:
    """The nearest address in X-Forwarded-For that is not a trusted proxy (as uvicorn picks it)."""
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if hop not in proxies:
            return hop
    return hops[0] if hops else None


def forwarded_scheme(forwarded_proto: str) -> str | None:
    """The scheme the client used, from the first X-Forwarded-Proto entry, if it is one."""
    proto = forwarded_proto.split(",")[0].strip().lower()
    return proto if proto in {"http", "https"} else None


def trust_forwarded_headers(inner: "WSGIApplication", allowed: str) -> "WSGIApplication":
    """Wrap a WSGI app: a request from a trusted proxy gets REMOTE_ADDR and wsgi.url_scheme from
    its X-Forwarded-For and X-Forwarded-Proto; from anyone else the headers change nothing."""
    proxies = TrustedProxies(allowed)

    def app(environ: "WSGIEnvironment", start_response: "StartResponse") -> Iterable[bytes]:
        if environ.get("REMOTE_ADDR") in proxies:
            client = forwarded_client(environ.get("HTTP_X_FORWARDED_FOR", ""), proxies)
            if client:
                environ["REMOTE_ADDR"] = client
            scheme = forwarded_scheme(environ.get("HTTP_X_FORWARDED_PROTO", ""))
            if scheme:
                environ["wsgi.url_scheme"] = scheme
        return inner(environ, start_response)

    return app


app = trust_forwarded_headers(application, os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"))
