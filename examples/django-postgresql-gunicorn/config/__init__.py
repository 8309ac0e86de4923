"""Django project configuration: settings per environment, URLs, WSGI and ASGI entry points."""

import os


def settings_module(environment: str | None = None) -> str:
    """The settings module for ENVIRONMENT: `config.settings.<development|test|production>`."""
    return f"config.settings.{environment or os.environ.get('ENVIRONMENT', 'development')}"
