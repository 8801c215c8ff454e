from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from ...compose import ComposeError, compose, day_or_today
from ._output import console_for, mailing_list


class Command(BaseCommand):
    help = "Build a list's edition for a day from the collected articles (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--list", dest="slug", required=True, help="the list's slug")
        parser.add_argument("--date", help="YYYY-MM-DD, in the list's time zone (default today)")
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="recompose an existing draft from scratch (editors' changes are lost)",
        )

    def handle(self, *args, slug, date=None, rebuild=False, **options):
        console = console_for(self)
        target = mailing_list(slug)
        try:
            result = compose(target, day_or_today(date, target.time_zone), rebuild=rebuild)
        except (ComposeError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        edition = result.edition
        verb = "composed" if result.created else "already composed"
        console.print(f"{edition}: {verb}, {edition.get_status_display().lower()}")
        console.print(f"  subject:   {edition.subject}")
        console.print(f"  preheader: {edition.preheader}")
        for key, n in result.items_by_section.items():
            console.print(f"  {key:<10} {n} item(s)")
