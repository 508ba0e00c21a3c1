"""The `clientbook` console script: Django's management commands with the settings preset."""

import os
import sys


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientbook.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
    return 0
