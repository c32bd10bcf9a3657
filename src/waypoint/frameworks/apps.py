from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "waypoint.frameworks"
    label = "frameworks"
    verbose_name = "Competency frameworks"
