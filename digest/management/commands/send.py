from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from ...compose import ComposeError, day_or_today
from ...delivery.dispatch import DispatchError, send_edition
from ...delivery.errors import FatalError
from ...delivery.senders import configured_sender
from ...models import Edition
from ._output import add_edition_arguments, console_for, mailing_list, send_table
from ._progress import progress_reporter


class Command(BaseCommand):
    help = "Send a composed edition to every eligible reader; running it again sends nothing twice."

    def add_arguments(self, parser):
        add_edition_arguments(parser)

    def handle(self, *args, slug, date=None, sender=None, **options):
        console = console_for(self)
        target = mailing_list(slug)
        try:
            day = day_or_today(date, target.time_zone)
        except ComposeError as exc:
            raise CommandError(str(exc)) from exc
        edition = Edition.objects.filter(mailing_list=target, date=day).first()
        if edition is None:
            raise CommandError(
                f"no edition of {slug} for {day}: run `digest compose --list {slug} --date {day}`"
            )
        try:
            backend = configured_sender(sender)
            with progress_reporter(console) as progress:
                report = send_edition(edition, backend, on_progress=progress)
        except (DispatchError, FatalError) as exc:
            raise CommandError(str(exc)) from exc
        console.print(send_table(report))
        if report.stopped:
            console.print(f"[red]stopped:[/] {report.stopped}")
            sys.exit(2)
