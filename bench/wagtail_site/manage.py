#!/usr/bin/env python
"""The benchmark's Wagtail site; run with .venv-wagtail/bin/python (see bench/wagtail_page.py)."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wagtailbench.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
