"""DATABASE_URL -> Django's `DATABASES` entry: the one place that parses it.

Accepted: `postgresql://user:password@host:port/name`, `sqlite:///relative/path.db` and
`sqlite:////absolute/path.db`. A SQLAlchemy-style driver suffix (`sqlite+aiosqlite://`) is
ignored: Django picks its own driver.
"""

from typing import Any
from urllib.parse import unquote, urlsplit

from psycopg_pool import ConnectionPool

ENGINES = {
    "sqlite": "django.db.backends.sqlite3",
    "postgresql": "django.db.backends.postgresql",
    "postgres": "django.db.backends.postgresql",
}
CONNECT_TIMEOUT_SECONDS = 5


def database_config(
    url: str,
    *,
    pool_size: int = 5,
    max_overflow: int = 5,
    timeout: float = 10.0,
) -> dict[str, Any]:
    """`timeout`: how long a request waits for a pooled connection."""
    parts = urlsplit(url)
    backend = parts.scheme.partition("+")[0]
    if backend not in ENGINES:
        msg = f"DATABASE_URL scheme {parts.scheme!r} is not one of {', '.join(ENGINES)}"
        raise ValueError(msg)
    config: dict[str, Any] = {
        "ENGINE": ENGINES[backend],
        # One transaction per request: committed when the view returns, rolled back if it raises.
        "ATOMIC_REQUESTS": True,
        # No connection outlives its request: under ASGI each request runs in its own thread,
        # where persistent connections would leak (Django's docs).
        "CONN_MAX_AGE": 0,
    }
    if backend == "sqlite":
        # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock up
        # front, so concurrent workers wait for it instead of failing to upgrade a read lock.
        return config | {
            "NAME": parts.path[1:] or ":memory:",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": timeout,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    config |= {
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
    }
    # psycopg's pool, one per worker process (R16): Django takes a connection per request and
    # hands it back; `check` replaces connections that died while idle (a database restart).
    config["OPTIONS"] = {
        "connect_timeout": CONNECT_TIMEOUT_SECONDS,
        "pool": {
            "min_size": pool_size,
            "max_size": pool_size + max_overflow,
            "timeout": timeout,
            "check": ConnectionPool.check_connection,
        },
    }
    return config
