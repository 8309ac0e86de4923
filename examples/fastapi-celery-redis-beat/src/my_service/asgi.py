"""The ASGI entry point servers import: `<package>.asgi:app`."""

from .main import create_app

app = create_app()
