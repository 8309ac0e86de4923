from litestar import Controller, get
from litestar.params import FromPath

from ..deps import CeleryApp
from .status import TaskStatus, read_status


class TaskController(Controller):
    path = "/tasks"
    tags = ["tasks"]  # noqa: RUF012 - Litestar reads it as a class attribute

    # The result backend's client blocks: a sync handler, run in the thread pool (R12).
    @get("/{task_id:str}", sync_to_thread=True)
    def get_task_status(self, task_id: FromPath[str], celery: CeleryApp) -> TaskStatus:
        return read_status(celery, task_id)
