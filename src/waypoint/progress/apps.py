from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "waypoint.progress"
    label = "progress"
    verbose_name = "Variable time: pace, advancement, alerts, supports and conferences"
    demo_loader = "waypoint.progress.demo.load_demo"
    navigation = "waypoint.progress.navigation.nav_links"
    home = "waypoint.progress.home.home_panels"
    # The nightly pace and inquiry run, started by `waypoint worker` (waypoint.operations).
    scheduled_jobs = "waypoint.progress.tasks.SCHEDULE"
    # What the advisor's caseload shows of each student's pace (read by `waypoint.people.selectors`).
    caseload_facts = "waypoint.progress.selectors_ui.caseload_facts"

    def ready(self) -> None:
        # Levels change in the mastery app, which knows nothing of progress: a signal sent after a level
        # refresh re-runs this student's inquiry (see `waypoint.progress.hooks`).
        from waypoint.progress import hooks

        hooks.connect()
