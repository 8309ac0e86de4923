"""Application factory and the one lifespan that owns every pooled resource (R16)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin

from .deps import DEPENDENCIES
from .errors import EXCEPTION_HANDLERS, JSONBodyRequest, StrictPydanticSchemas
from .logs import configure_logging
from .middleware import RequestContextMiddleware
from .resources import open_resources
from .routes import ROUTE_HANDLERS
from .settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_format)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        async with open_resources(settings) as resources:
            for name, value in vars(resources).items():
                setattr(app.state, name, value)
            yield

    app = Litestar(
        route_handlers=ROUTE_HANDLERS,
        dependencies={
            "settings": Provide(lambda: settings, use_cache=True, sync_to_thread=False),
            **DEPENDENCIES,
        },
        exception_handlers=EXCEPTION_HANDLERS,
        request_class=JSONBodyRequest,
        plugins=[StrictPydanticSchemas()],
        # RequestContextMiddleware answers first; this is Litestar's own check, kept in step.
        request_max_body_size=settings.max_body_bytes,
        lifespan=[lifespan],
        openapi_config=OpenAPIConfig(
            title=settings.app_name,
            version="0.1.0",
            # The schema is always served at /schema/openapi.json; the UI only outside production.
            render_plugins=[JsonRenderPlugin()]
            if settings.environment == "production"
            else [SwaggerRenderPlugin(), JsonRenderPlugin()],
        ),
        logging_config=None,  # logs.configure_logging owns the handlers
        debug=False,
    )
    # Middleware passed as `middleware=[...]` runs around route handlers only, so a request that
    # matches no route (404, 405) would get no request id and no log line. Wrapping the app's
    # ASGI handler, as Litestar's own OpenTelemetry plugin does, covers every request.
    app.asgi_handler = RequestContextMiddleware(app.asgi_handler, settings.max_body_bytes)
    return app
