from __future__ import annotations

import argparse
import os
import resource
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from ...compose import ComposeError, day_or_today
from ...delivery.control import ControlError, find_edition
from ...delivery.dispatch import DispatchError, SendOptions
from ...delivery.errors import FatalError
from ...delivery.senders import configured_sender
from ...delivery.workers import send_with_workers, write_report
from ...models import Edition
from ._output import EXIT_STOPPED, console_for, mailing_list, print_ending, send_table
from ._progress import progress_reporter


class Command(BaseCommand):
    help = (
        "Send a composed edition to every eligible reader. Running it again sends nothing "
        "twice; several `digest send` processes on one edition share the work."
    )

    def add_arguments(self, parser):
        parser.add_argument("--list", dest="slug", help="the list's slug (with --date)")
        parser.add_argument("--date", help="YYYY-MM-DD (default today in the list's time zone)")
        parser.add_argument("--edition", help="the edition: its id, or LIST/YYYY-MM-DD")
        parser.add_argument(
            "--sender",
            help="outbox, smtp, sendgrid or a dotted path to a Sender (default DIGEST_SENDER)",
        )
        parser.add_argument("--batch-size", type=int, help="deliveries claimed at a time")
        parser.add_argument(
            "--workers",
            type=int,
            help="sending processes at most, this one included (default DIGEST_SEND_WORKERS); "
            "one per DIGEST_READERS_PER_WORKER readers",
        )
        # Written by a helper that `--workers` started: its summary, for the first process.
        parser.add_argument("--report", help=argparse.SUPPRESS)
        # A helper runs with its first process's options whole (SendOptions.to_json).
        parser.add_argument("--options", dest="run_options", help=argparse.SUPPRESS)
        # A helper waits for its first process to freeze the audience and keep the
        # variants' renderings: a line on standard input says go (empty: do not send).
        parser.add_argument("--wait-for-go", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args, slug=None, date=None, edition=None, sender=None, **options):
        console = console_for(self)
        workers = options.get("workers")
        if workers is not None and workers < 1:
            raise CommandError("--workers must be 1 or more")
        target = self.edition(slug, date, edition)
        if options.get("wait_for_go") and not sys.stdin.readline().strip():
            return  # the first process could not freeze the audience: it says why
        try:
            backend = configured_sender(sender)
            if options.get("run_options"):
                run_options = SendOptions.from_json(options["run_options"])
            else:
                run_options = SendOptions.from_settings(batch_size=options.get("batch_size"))
            with progress_reporter(console) as progress:
                report = send_with_workers(
                    target,
                    backend,
                    workers,
                    options=run_options,
                    on_progress=progress,
                )
        except (DispatchError, FatalError) as exc:
            raise CommandError(str(exc)) from exc
        if options.get("report"):
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            write_report(report, options["report"], peak)
            # A helper's work ends with its summary. Leave at once: tearing down an
            # interpreter that held a million readers' batches takes a third of a second,
            # and the first process waits for it.
            connections.close_all()
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(EXIT_STOPPED if report.stopped else 0)
        console.print(send_table(report))
        code = print_ending(console, report, target)
        if code:
            sys.exit(code)

    def edition(self, slug, date, ref) -> Edition:
        if ref:
            try:
                return find_edition(ref)
            except ControlError as exc:
                raise CommandError(str(exc)) from exc
        if not slug:
            raise CommandError("name the edition: --edition LIST/YYYY-MM-DD, or --list (--date)")
        target = mailing_list(slug)
        try:
            day = day_or_today(date, target.time_zone)
        except ComposeError as exc:
            raise CommandError(str(exc)) from exc
        found = Edition.objects.filter(mailing_list=target, date=day).first()
        if found is None:
            raise CommandError(
                f"no edition of {slug} for {day}: run `digest compose --list {slug} --date {day}`"
            )
        return found
