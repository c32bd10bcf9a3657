from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class NotificationsConfig(AppConfig):
    """Notifications in the app and by e-mail. It sits just above core: domain apps import it to register
    their kinds of event (`<app>/events.py`) and to notify, and it imports none of them."""

    name = "waypoint.notifications"
    label = "notifications"
    verbose_name = "Notifications"
    navigation = "waypoint.notifications.navigation.nav_links"
    home = "waypoint.notifications.home.home_panels"
    # The daily digest e-mail, started by `waypoint worker` (waypoint.operations).
    scheduled_jobs = "waypoint.notifications.tasks.SCHEDULE"
    demo_loader = "waypoint.notifications.demo.load_demo"

    def ready(self) -> None:
        # Each app registers its kinds in its own `events` module; importing them all here means a stored
        # notification renders in any process (a page, the digest command) whichever services it has run.
        autodiscover_modules("events")
