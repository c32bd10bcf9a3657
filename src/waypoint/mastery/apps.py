from django.apps import AppConfig


class MasteryConfig(AppConfig):
    name = "waypoint.mastery"
    label = "mastery"
    verbose_name = "Mastery levels"
    navigation = "waypoint.mastery.navigation.nav_links"
    home = "waypoint.mastery.home.home_panels"
    demo_loader = "waypoint.mastery.demo.load_demo"
