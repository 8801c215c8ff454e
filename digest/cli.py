"""The ``digest`` console command: Django's management utility under our own name.

``digest collect --from DIR`` is ``django-admin collect --from DIR`` with the settings set.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "digest.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        _ = settings.SECRET_KEY  # loads the settings: a refusal is one line, not a traceback
    except ImproperlyConfigured as exc:
        sys.exit(f"digest: {exc}")

    execute_from_command_line(["digest", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
