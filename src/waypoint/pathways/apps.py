from django.apps import AppConfig


class PathwaysConfig(AppConfig):
    name = "waypoint.pathways"
    label = "pathways"
    verbose_name = "Multiple paths of study"
