"""Production: HTTPS hardening on top of base; `manage.py check --deploy` passes with it.

Chosen by ENVIRONMENT=production (set in the image). The `Settings` validator refuses the
placeholder SECRET_KEY in that environment, so a misconfigured deploy fails at startup (R25).
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SETTINGS

if SETTINGS.environment != "production":
    msg = "config.settings.production needs ENVIRONMENT=production (it validates SECRET_KEY)"
    raise ImproperlyConfigured(msg)

# Behind a TLS-terminating proxy the server marks requests as HTTPS from X-Forwarded-Proto, and
# only for the proxies in FORWARDED_ALLOW_IPS (R11), so no SECURE_PROXY_SSL_HEADER is needed.
SECURE_SSL_REDIRECT = SETTINGS.secure_ssl_redirect
SECURE_HSTS_SECONDS = SETTINGS.hsts_seconds
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
