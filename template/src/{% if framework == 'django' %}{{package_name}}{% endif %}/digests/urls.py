from django.urls import path

from .views import request_digest

urlpatterns = [
    path("digests", request_digest, name="digest-request"),
]
