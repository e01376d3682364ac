#!/usr/bin/env python3
"""Django's command-line utility (run it with /usr/bin/python3: Debian's Django lives there)."""
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "conduit.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
