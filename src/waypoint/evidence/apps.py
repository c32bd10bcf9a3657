from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "waypoint.evidence"
    label = "evidence"
    verbose_name = "Evidence and scoring"
    navigation = "waypoint.evidence.navigation.nav_links"
    home = "waypoint.evidence.home.home_panels"
