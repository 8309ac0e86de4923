from django.urls import path

from .views import task_status

urlpatterns = [
    path("tasks/<str:task_id>", task_status, name="task-status"),
]
