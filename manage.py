#!/usr/bin/env python
"""Upstream: (command line: python manage.py ...)
Downstream: (none)
Role: Django's command-line entry point for every process of the stack."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ginkgo_site.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
