from django.apps import AppConfig


class ProfilesConfig(AppConfig):
    name = "waypoint.profiles"
    label = "profiles"
    verbose_name = "Learner profiles and success plans"
    navigation = "waypoint.profiles.navigation.nav_links"
    home = "waypoint.profiles.home.home_panels"
    demo_loader = "waypoint.profiles.demo.load_demo"
