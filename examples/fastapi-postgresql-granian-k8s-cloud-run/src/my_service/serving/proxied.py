"""The app with X-Forwarded-For/-Proto trusted only from FORWARDED_ALLOW_IPS (R11).

granian does not take the client address from the headers of trusted proxies by itself, so
the container serves this module's `app`: the application wrapped by a middleware that rewrites
the client address and scheme only when the peer is a listed proxy, as uvicorn does natively.
FORWARDED_ALLOW_IPS is a comma-separated list of addresses and networks (`10.0.0.0/8`), or `*`.
"""

import os
from typing import Any

from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from my_service.asgi import app as application

# uvicorn annotates ASGI apps with TypedDict scopes and frameworks use MutableMapping; at runtime
# both are the same ASGI 3 callable.
asgi_app: Any = application
app = ProxyHeadersMiddleware(
    asgi_app, trusted_hosts=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
)
