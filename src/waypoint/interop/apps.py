from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "waypoint.interop"
    label = "interop"
    verbose_name = (
        "Interoperability: first-run set-up, OneRoster, sign-in through the district's identity provider"
    )
    demo_loader = "waypoint.interop.demo.load_demo"
    navigation = "waypoint.interop.navigation.nav_links"
    home = "waypoint.interop.home.home_panels"

    def ready(self) -> None:
        # No notification kind of its own: notifications are about a student, and a roster import's outcome
        # reaches the administrator who started it on the page, in the command and on the home page.
        from django.contrib.auth.signals import user_logged_in

        from waypoint.interop.services.account import second_factor_note_sign_in

        # A new session learns at sign-in whether it still owes a two-step code, so the middleware need not
        # ask the database on every page.
        user_logged_in.connect(second_factor_note_sign_in, dispatch_uid="waypoint-second-factor")
