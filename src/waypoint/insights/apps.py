from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "waypoint.insights"
    label = "insights"
    verbose_name = "Accountability by growth: dashboards, graduation rates, self-study, action plans"
    demo_loader = "waypoint.insights.demo.load_demo"
    navigation = "waypoint.insights.navigation.nav_links"
    home = "waypoint.insights.home.home_panels"
