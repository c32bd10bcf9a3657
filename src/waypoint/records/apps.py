from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "waypoint.records"
    label = "records"
    verbose_name = (
        "Records: graduation rules, diploma, transcripts, credentials, portfolio, transfer, disposal"
    )
    demo_loader = "waypoint.records.demo.load_demo"
    navigation = "waypoint.records.navigation.nav_links"
    home = "waypoint.records.home.home_panels"

    def ready(self) -> None:
        # The notification kinds register themselves when imported.
        from waypoint.records import events  # noqa: F401
