from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The top of the house: home pages, navigation, the API root, the demo orchestrator and the URL map.

    Nothing imports `site`; it finds what each app offers through the app's configuration (see
    `waypoint.site.contributions`), so a new app registers itself without editing this package."""

    name = "waypoint.site"
    label = "site"
    verbose_name = "Site"
