from django.apps import AppConfig


class PathwaysConfig(AppConfig):
    name = "waypoint.pathways"
    label = "pathways"
    verbose_name = "Multiple paths of study"
    navigation = "waypoint.pathways.navigation.nav_links"
    home = "waypoint.pathways.home.home_panels"
    # Starting the paths due each morning, by `waypoint worker` (waypoint.operations).
    scheduled_jobs = "waypoint.pathways.tasks.SCHEDULE"
    demo_loader = "waypoint.pathways.demo.load_demo"
    # The paths holding places in catalog opportunities (read by `waypoint.catalog.selectors.places_taken`).
    place_holders = "waypoint.pathways.selectors.place_holding_paths"
    # What the advisor's caseload shows of each student (read by `waypoint.people.selectors.caseload_page`).
    caseload_facts = "waypoint.pathways.selectors.caseload_facts"
    # The titles of evidence and paths that audit events name (read by `waypoint.people.selectors`).
    audit_titles = "waypoint.pathways.selectors.audit_titles"

    def ready(self) -> None:
        # The recommendation rule is pure Python; its reasons are read in the reader's language.
        from django.utils import translation

        from waypoint.pathways import recommend

        recommend.use_translation(translation.gettext, translation.ngettext)
