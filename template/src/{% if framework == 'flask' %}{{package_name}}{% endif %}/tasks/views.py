from typing import Any

from flask_openapi.blueprint import APIBlueprint
from pydantic import BaseModel

from .extension import get_celery
from .status import TaskStatus, read_status

bp = APIBlueprint("tasks", __name__, url_prefix="/tasks", abp_tags=[{"name": "tasks"}])


class TaskPath(BaseModel):
    task_id: str


@bp.get("/<task_id>", responses={200: TaskStatus})
def get_task_status(path: TaskPath) -> dict[str, Any]:
    return read_status(get_celery(), path.task_id).model_dump(mode="json")
