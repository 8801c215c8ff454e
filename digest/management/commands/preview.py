from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ...compose import ComposeError, day_or_today
from ...models import Edition
from ...preview_files import write_preview
from ...render import RenderError
from ._output import console_for, mailing_list


class Command(BaseCommand):
    help = "Write an edition's HTML and text as readers of some sections would see them."

    def add_arguments(self, parser):
        parser.add_argument("--list", dest="slug", required=True)
        parser.add_argument("--date", help="YYYY-MM-DD (default today)")
        parser.add_argument("--sections", help="comma-separated section keys (default all)")
        parser.add_argument("--out", help="HTML file to write (default in the outbox folder)")

    def handle(self, *args, slug, date=None, sections=None, out=None, **options):
        target = mailing_list(slug)
        try:
            day = day_or_today(date, target.time_zone)
        except ComposeError as exc:
            raise CommandError(str(exc)) from exc
        edition = Edition.objects.filter(mailing_list=target, date=day).first()
        if edition is None:
            raise CommandError(f"no edition of {slug} for {day}: run `digest compose` first")
        keys = tuple(k.strip() for k in sections.split(",") if k.strip()) if sections else None
        name = "preview-" + ("-".join(keys) if keys else "all") + ".html"
        path = Path(out) if out else settings.DIGEST_OUTBOX_DIR / slug / f"{day:%Y-%m-%d}" / name
        try:
            html_path, text_path = write_preview(edition, path, keys)
        except RenderError as exc:
            raise CommandError(str(exc)) from exc
        console_for(self).print(f"HTML: {html_path}\ntext: {text_path}", soft_wrap=True)
