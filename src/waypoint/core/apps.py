from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "waypoint.core"
    label = "core"
    verbose_name = "Organizations and people"

    def ready(self) -> None:
        from waypoint.core import signals  # noqa: F401  (connects the sign-in audit receivers)
        from waypoint.core.row_security import install_after_migrate

        # Sent once per app after every app's migrations have run, so once for core is enough: every table
        # exists by then, new ones included (PostgreSQL row-level security; a no-op on SQLite).
        post_migrate.connect(install_after_migrate, sender=self, dispatch_uid="waypoint.core.row_security")
