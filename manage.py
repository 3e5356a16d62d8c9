#!/usr/bin/env python
"""Django's command-line utility for the Lantern site."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def main():
    # `site/` holds the host project. It is not a package (`site` is a stdlib module):
    # it goes on sys.path so that `lantern` is importable; the repository root holds
    # the reusable apps `courses` and `quizzes`.
    for path in (ROOT, ROOT / "site"):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantern.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
