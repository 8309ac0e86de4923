"""The Celery app the worker, beat load (`celery --app my_service.tasks.worker ...`).

Kept apart from `app.py` so that importing the factory never reads the environment.
"""

from ..settings import get_settings
from .app import create_celery

app = create_celery(get_settings())
