from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ...collect import collect, open_source
from ...models import Source
from ...sources import FolderSource
from ._output import collect_table, console_for, print_problems


class Command(BaseCommand):
    help = "Collect articles: from saved-page folders (--from DIR) or every enabled source."

    def add_arguments(self, parser):
        parser.add_argument(
            "--from",
            dest="folders",
            action="append",
            metavar="DIR",
            help="a folder of saved pages (.txt) and WordPress posts (.json); repeatable",
        )

    def handle(self, *args, folders=None, **options):
        console = console_for(self)
        tz = settings.DIGEST_TIME_ZONE
        if folders:
            for folder in folders:
                if not Path(folder).is_dir():
                    raise CommandError(f"{folder}: no such folder")
            readers = [(folder, FolderSource(folder, time_zone=tz), None) for folder in folders]
        else:
            rows = list(Source.objects.filter(enabled=True))
            if not rows:
                raise CommandError(
                    "no sources configured: pass --from DIR or add a source in the admin"
                )
            readers = [(row.name, open_source(row, tz), row) for row in rows]
        report = collect(readers)
        console.print(collect_table(report))
        print_problems(console, report)
        if report.total("fetched") == 0 and report.total("problems"):
            raise CommandError("nothing could be collected: every input failed (see above)")
