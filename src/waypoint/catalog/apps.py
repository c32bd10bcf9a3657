from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "waypoint.catalog"
    label = "catalog"
    verbose_name = "Opportunity catalog"
    navigation = "waypoint.catalog.navigation.nav_links"
    demo_loader = "waypoint.catalog.demo.load_demo"
