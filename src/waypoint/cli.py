"""The `waypoint` console script: Django's manage.py for this project."""

import os
import sys


def main() -> None:
    """Run a Django management command with Waypoint's settings (`waypoint migrate`, `waypoint demo`, ...).

    `waypoint bkt-fit` reads a file and prints parameters: it needs neither the settings nor the database,
    so it runs without setting Django up (and its system checks), which would take longer than fitting a
    typical file."""
    if sys.argv[1:2] == ["bkt-fit"]:
        from waypoint.mastery.bkt_cli import main as bkt_fit

        sys.exit(bkt_fit(sys.argv[2:], program=os.path.basename(sys.argv[0])))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waypoint.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
