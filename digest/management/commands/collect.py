from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ...collect import collect, open_source
from ...compose import ComposeError, day_or_today, day_window
from ...http import HttpClient
from ...models import Source
from ...sources import FolderSource
from ._output import collect_table, console_for, print_problems


class Command(BaseCommand):
    help = (
        "Collect articles: from saved-page folders (--from DIR) or every enabled source "
        "(feeds, WordPress sites, web pages, folders)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--from",
            dest="folders",
            action="append",
            metavar="DIR",
            help="a folder of saved pages (.txt) and WordPress posts (.json); repeatable",
        )
        window = parser.add_mutually_exclusive_group()
        window.add_argument(
            "--date",
            help="only that day's articles (YYYY-MM-DD in DIGEST_TIME_ZONE, DST-correct)",
        )
        window.add_argument(
            "--since", help="only articles published since this ISO time (e.g. 2026-11-24T06:00)"
        )

    def handle(self, *args, folders=None, date=None, since=None, **options):
        console = console_for(self)
        tz = settings.DIGEST_TIME_ZONE
        start = _window_start(date, since, tz)
        with HttpClient() as client:
            if folders:
                for folder in folders:
                    if not Path(folder).is_dir():
                        raise CommandError(f"{folder}: no such folder")
                readers = [(folder, FolderSource(folder, time_zone=tz), None) for folder in folders]
            else:
                rows = list(Source.objects.filter(enabled=True))
                if not rows:
                    raise CommandError(
                        "no sources configured: pass --from DIR, add one with "
                        "`digest sources add` or in the admin"
                    )
                readers = [(row.name, open_source(row, tz, client), row) for row in rows]
            report = collect(readers, since=start)
        console.print(collect_table(report))
        print_problems(console, report)
        if report.all_failed:
            raise CommandError(
                f"EVERY SOURCE FAILED ({len(report.sources)}): nothing could be collected: "
                "every input failed (see above)"
            )
        if report.total("fetched") == 0 and report.total("problems"):
            raise CommandError("nothing could be collected: every input failed (see above)")


def _window_start(date: str | None, since: str | None, tz: str) -> dt.datetime | None:
    if date:
        try:
            return day_window(day_or_today(date, tz), tz)[0]
        except ComposeError as exc:
            raise CommandError(str(exc)) from None
    if since:
        try:
            parsed = dt.datetime.fromisoformat(since)
        except ValueError:
            raise CommandError(f"--since {since!r} is not an ISO time") from None
        if parsed.tzinfo is None:
            from zoneinfo import ZoneInfo

            parsed = parsed.replace(tzinfo=ZoneInfo(tz))
        return parsed.astimezone(dt.UTC)
    return None
