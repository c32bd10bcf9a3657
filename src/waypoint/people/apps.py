from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "waypoint.people"
    label = "people"
    verbose_name = "People pages"
    navigation = "waypoint.people.navigation.nav_links"
    home = "waypoint.people.home.home_panels"
