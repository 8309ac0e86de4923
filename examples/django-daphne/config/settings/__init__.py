"""Settings split by environment; `settings_module()` picks one from ENVIRONMENT."""

import os


def settings_module(environment: str | None = None) -> str:
    """The settings module for ENVIRONMENT: `config.settings.<development|test|production>`."""
    return f"config.settings.{environment or os.environ.get('ENVIRONMENT', 'development')}"
