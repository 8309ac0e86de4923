"""Every blueprint of the service, registered in one place."""

from flask import Flask

from .health import bp as health_bp
from .items.views import bp as items_bp


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(health_bp)
    app.register_blueprint(items_bp)
