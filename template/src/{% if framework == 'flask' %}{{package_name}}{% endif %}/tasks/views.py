from flask import Blueprint
from flask.typing import ResponseReturnValue

from .extension import get_celery
from .status import read_status

bp = Blueprint("tasks", __name__, url_prefix="/tasks")


@bp.get("/<task_id>")
def get_task_status(task_id: str) -> ResponseReturnValue:
    return read_status(get_celery(), task_id).model_dump(mode="json")
