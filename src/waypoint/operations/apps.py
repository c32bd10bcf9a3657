from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "waypoint.operations"
    label = "operations"
    verbose_name = "Operations: background tasks, the worker and its schedule"
    home = "waypoint.operations.home.home_panels"
    # Core's own scheduled work (the audit log's partitions), which core cannot declare itself.
    scheduled_jobs = "waypoint.operations.core_jobs.SCHEDULE"
