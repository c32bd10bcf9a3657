from django.apps import AppConfig


class PathwaysConfig(AppConfig):
    name = "waypoint.pathways"
    label = "pathways"
    verbose_name = "Multiple paths of study"
    navigation = "waypoint.pathways.navigation.nav_links"
    home = "waypoint.pathways.home.home_items"
    demo_loader = "waypoint.pathways.demo.load_demo"
    # The paths holding places in catalog opportunities (read by `waypoint.catalog.selectors.places_taken`).
    place_holders = "waypoint.pathways.selectors.place_holding_paths"
