from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "waypoint.insights"
    label = "insights"
    verbose_name = "Accountability by growth: dashboards, graduation rates, self-study, action plans"
    demo_loader = "waypoint.insights.demo.load_demo"
    navigation = "waypoint.insights.navigation.nav_links"
    home = "waypoint.insights.home.home_panels"
    # The nightly refresh of every district's figures, started by `waypoint worker` (waypoint.operations).
    scheduled_jobs = "waypoint.insights.tasks.SCHEDULE"
