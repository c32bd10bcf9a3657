from django.apps import AppConfig


class MasteryConfig(AppConfig):
    name = "waypoint.mastery"
    label = "mastery"
    verbose_name = "Mastery levels"
