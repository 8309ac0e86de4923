"""A bare Django project in one module with the generated service's `/health`, and nothing else:
the settings `django-admin startproject` would leave for an API (no templates, sessions or
admin). bench/run.py copies it into the rendered project as `<package>._bench_bare` and serves
`application` (WSGI) or `app` (ASGI) under the same command."""

from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-" + "x" * 40,
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[
        "django.middleware.security.SecurityMiddleware",
        "django.middleware.common.CommonMiddleware",
    ],
    INSTALLED_APPS=[],
    DATABASES={},
    USE_TZ=True,
)

from django.core.asgi import get_asgi_application  # noqa: E402 - after settings
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpRequest, JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402


def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


urlpatterns = [path("health", health)]
application = get_wsgi_application()
app = get_asgi_application()
