"""Every blueprint of the service, registered in one place: `register_api` adds each one's
routes to the OpenAPI document too."""

from flask_openapi.openapi import OpenAPI

from .health import bp as health_bp
from .items.views import bp as items_bp


def register_blueprints(app: OpenAPI) -> None:
    app.register_api(health_bp)
    app.register_api(items_bp)
