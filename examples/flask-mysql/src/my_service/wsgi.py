"""The WSGI entry point servers import: `<package>.wsgi:app`."""

from .app import create_app

app = create_app()
