from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError
from rich.table import Table

from ...compose import ComposeError, day_or_today
from ...delivery.dispatch import DispatchError
from ...delivery.errors import FatalError
from ...delivery.senders import configured_sender
from ...pipeline import RunReport, run_list
from ._output import (
    add_edition_arguments,
    collect_table,
    console_for,
    mailing_list,
    print_ending,
    print_problems,
    send_table,
)
from ._progress import progress_reporter


class Command(BaseCommand):
    help = "The daily job for one list: collect from the configured sources, compose, send."

    def add_arguments(self, parser):
        add_edition_arguments(parser)

    def handle(self, *args, slug, date=None, sender=None, **options):
        console = console_for(self)
        target = mailing_list(slug)
        try:
            day = day_or_today(date, target.time_zone)
            backend = configured_sender(sender)
            with progress_reporter(console) as progress:
                report = run_list(target, day, backend, on_progress=progress)
        except (ComposeError, DispatchError, FatalError) as exc:
            raise CommandError(str(exc)) from exc
        print_run(console, report, backend)
        code = print_ending(console, report.sent, report.composed.edition)
        if code:
            sys.exit(code)


def print_run(console, report: RunReport, backend) -> None:
    console.print(collect_table(report.collected))
    print_problems(console, report.collected)
    edition = report.composed.edition
    edition.refresh_from_db()
    console.print(f"Edition {edition}, {edition.get_status_display().lower()}: {edition.subject}")
    table = Table()
    table.add_column("section")
    table.add_column("articles", justify="right")
    for key, n in report.composed.items_by_section.items():
        table.add_row(key, str(n))
    console.print(table)
    console.print(send_table(report.sent))
    where = getattr(backend, "directory", None)
    if where is not None:
        folder = where / edition.mailing_list.slug / f"{edition.date:%Y-%m-%d}"
        console.print(f"Messages: {folder}", soft_wrap=True)
    elif hasattr(backend, "where"):
        console.print(f"Messages: handed to the SMTP server {backend.where}")
