from django.urls import path

from waypoint.operations import views

urlpatterns = [
    path("tasks/", views.task_runs, name="task-runs"),
    path("tasks/<int:task_run_id>/", views.task_run, name="task-run"),
]
