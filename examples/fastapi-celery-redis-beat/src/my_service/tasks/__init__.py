"""Background tasks with Celery: the app factory, the worker's app and task status."""
