from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "waypoint.interop"
    label = "interop"
    verbose_name = "Interoperability: first-run set-up, OneRoster, sign-in through the district's identity provider"
    demo_loader = "waypoint.interop.demo.load_demo"
    navigation = "waypoint.interop.navigation.nav_links"
    home = "waypoint.interop.home.home_panels"

    def ready(self) -> None:
        # The notification kinds register themselves when imported.
        from waypoint.interop import events  # noqa: F401
