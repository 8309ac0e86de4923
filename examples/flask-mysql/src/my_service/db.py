"""Database engine and sessions (R16, R17): one engine per worker process, one session per
request, opened on first use and closed when the request's app context ends."""

import atexit

from flask import Flask, current_app, g
from sqlalchemy import Engine, MetaData, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from .settings import Settings

# Stable constraint names keep Alembic migrations identical across databases.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
# A request (or readiness check) gives up on an unreachable database after this long.
CONNECT_TIMEOUT_SECONDS = 5


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def build_engine(settings: Settings) -> Engine:
    url = make_url(settings.database_url)
    # The tests run offline on SQLite when DATABASE_URL is unset; it has no connect timeout.
    offline = url.get_backend_name() == "sqlite"
    # Each gthread worker serves several requests at once: pool_size + max_overflow should cover
    # its threads (WEB_THREADS).
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_seconds,
        pool_recycle=1800,
        connect_args={} if offline else {"connect_timeout": CONNECT_TIMEOUT_SECONDS},
    )


def init_db(app: Flask, settings: Settings) -> Engine:
    """Create the worker's engine and session factory; close each request's session at teardown."""
    engine = build_engine(settings)
    app.extensions["db_sessions"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)
    # WSGI has no lifespan: the pool goes when the worker process exits.
    atexit.register(engine.dispose)
    return engine


def get_session() -> Session:
    """The current request's session. Views commit what they change; the rest is rolled back."""
    if "db_session" not in g:
        sessions: sessionmaker[Session] = current_app.extensions["db_sessions"]
        g.db_session = sessions()
    session: Session = g.db_session
    return session


def _close_session(_: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.close()  # rolls back anything not committed


def ping(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
