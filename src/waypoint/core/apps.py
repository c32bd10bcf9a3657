from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "waypoint.core"
    label = "core"
    verbose_name = "Organizations and people"

    def ready(self) -> None:
        from waypoint.core import signals  # noqa: F401  (connects the sign-in audit receivers)
