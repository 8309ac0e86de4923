"""The ASGI entry point servers import: `config.asgi:application` (R1, R2).

The views are plain `def` functions: Django runs each request's sync code in a thread of its own,
so blocking ORM calls never stall the event loop (R12).
"""

import os

from django.core.asgi import get_asgi_application

from config.settings import settings_module

os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module())

application = get_asgi_application()
