"""A task's state and result, the same JSON as the other frameworks.

A plain `def` view: the result backend's client blocks, and Django runs sync views in a thread of
their own under ASGI (R12).
"""

from celery import current_app
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from ..api import json_response
from .status import read_status


@transaction.non_atomic_requests
@require_GET
def task_status(request: HttpRequest, task_id: str) -> HttpResponse:
    return json_response(read_status(current_app, task_id))
