"""The WSGI entry point servers import: `config.wsgi:application` (R1, R3)."""

import os

from django.core.wsgi import get_wsgi_application

from config.settings import settings_module

os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module())

application = get_wsgi_application()
