from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "waypoint.frameworks"
    label = "frameworks"
    verbose_name = "Competency frameworks"
    navigation = "waypoint.frameworks.navigation.nav_links"
    home = "waypoint.frameworks.home.home_panels"
    demo_loader = "waypoint.frameworks.demo.load_demo"
