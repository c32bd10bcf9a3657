"""The `waypoint` console script: Django's manage.py for this project."""

import os
import sys


def main() -> None:
    """Run a Django management command with Waypoint's settings (`waypoint migrate`, `waypoint demo`, ...)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waypoint.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
