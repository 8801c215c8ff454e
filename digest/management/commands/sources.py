from __future__ import annotations

import json
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from ... import classify
from ...collect import section_rules
from ...http import FetchError
from ...models import Source
from ...one_page import OnceClient, open_url
from ...sources import SOURCES, FetchProblem, RawArticle
from ...sources.base import paragraphs

KINDS = list(SOURCES)


class Command(BaseCommand):
    help = (
        "Manage where articles come from: `sources add KIND LOCATION`, `sources list`, "
        "`sources remove NAME`, and `sources test URL` (fetch once, show, store nothing)."
    )

    def add_arguments(self, parser):
        verbs = parser.add_subparsers(dest="verb", required=True)
        add = verbs.add_parser("add", help="add a source (or update the one at that location)")
        add.add_argument("kind", choices=KINDS)
        add.add_argument("location", help="a folder, a feed address, a WordPress site, a page")
        add.add_argument("--name", help="as shown in summaries (default: the location)")
        add.add_argument("--language", choices=["en", "ko"], default="", help="force a language")
        add.add_argument(
            "--url",
            dest="urls",
            action="append",
            help="page kind: an article address to fetch (repeatable); without it LOCATION "
            "is a section front whose article links are followed",
        )
        add.add_argument(
            "--option",
            dest="opts",
            action="append",
            metavar="KEY=VALUE",
            help="a kind-specific option, e.g. full_text=page, max_pages=5 (JSON values allowed)",
        )
        add.add_argument("--disabled", action="store_true", help="add it switched off")
        verbs.add_parser("list", help="every source with its state and last error")
        remove = verbs.add_parser("remove", help="delete a source (its articles stay)")
        remove.add_argument("name", help="the source's name, location or id")
        test = verbs.add_parser("test", help="fetch once and show what would be collected")
        test.add_argument("url")
        test.add_argument("--kind", choices=KINDS, help="default: guessed from the answer")
        test.add_argument("--limit", type=int, default=10, help="articles shown (default 10)")

    def handle(self, *args, verb, **options):
        getattr(self, f"_{verb}")(**options)

    def _add(
        self, kind, location, name=None, language="", urls=None, opts=None, disabled=False, **_
    ):
        extra = {}
        for pair in opts or []:
            key, sep, value = pair.partition("=")
            if not sep or not key:
                raise CommandError(f"--option {pair!r}: write KEY=VALUE")
            try:
                extra[key] = json.loads(value)
            except json.JSONDecodeError:
                extra[key] = value
        if urls:
            extra["urls"] = urls
        try:
            source, created = Source.objects.update_or_create(
                kind=kind,
                location=location,
                defaults={
                    "name": name or location,
                    "language": language,
                    "options": extra,
                    "enabled": not disabled,
                },
            )
        except IntegrityError as exc:
            raise CommandError(f"could not save the source: {exc}") from None
        verb = "added" if created else "updated"
        self.stdout.write(f"{verb} source {source.id}: {source.name} ({kind} {location})")

    def _list(self, **_):
        rows = list(Source.objects.all())
        if not rows:
            self.stdout.write("no sources yet: add one with `digest sources add KIND LOCATION`")
            return
        for s in rows:
            state = "enabled" if s.enabled else "disabled"
            when = f"{s.last_collected_at:%Y-%m-%d %H:%M} UTC" if s.last_collected_at else "never"
            self.stdout.write(f"{s.id:>4}  {s.name}  [{s.kind}, {state}]  {s.location}")
            self.stdout.write(f"      last collected: {when}")
            if s.options:
                self.stdout.write(f"      options: {json.dumps(s.options, ensure_ascii=False)}")
            for line in s.last_error.splitlines()[:3]:
                self.stdout.write(f"      error: {line}")

    def _remove(self, name, **_):
        query = Source.objects.filter(name=name) | Source.objects.filter(location=name)
        if name.isdigit():
            query = query | Source.objects.filter(id=int(name))
        found = list(query.distinct())
        if not found:
            raise CommandError(f"no source named {name!r} (see `digest sources list`)")
        if len(found) > 1:
            ids = ", ".join(str(s.id) for s in found)
            raise CommandError(f"{name!r} names several sources ({ids}): remove one by id")
        found[0].delete()
        self.stdout.write(f"removed source {found[0].name}")

    def _test(self, url, kind=None, limit=10, **_):
        tz_name = settings.DIGEST_TIME_ZONE
        tz = ZoneInfo(tz_name)
        with OnceClient() as client:
            try:
                kind, first, items = open_url(url, client, tz_name, kind)
            except FetchError as exc:
                raise CommandError(f"{url}: {exc}") from None
            self.stdout.write(f"{url}: read as {kind} ({first.content_type or 'no type'})")
            rules = section_rules()
            shown = problems = 0
            for item in items:
                if isinstance(item, FetchProblem):
                    problems += 1
                    self.stdout.write(f"problem: {item}")
                    continue
                shown += 1
                if shown <= limit:
                    self._show(item, tz, rules)
        self.stdout.write(
            f"{shown} article(s), {problems} problem(s); nothing stored "
            "(`digest sources add` to collect it every morning)"
        )

    def _show(self, item: RawArticle, tz: ZoneInfo, rules) -> None:
        if item.published_at:
            local = item.published_at.astimezone(tz)
            when = f"{local:%Y-%m-%d %H:%M %Z} ({item.date_source})"
        else:
            when = "no time given: the fetch time would be used (flagged)"
        hint = "-"
        if rules:
            verdict = classify.classify(item.title, item.body, item.categories, rules)
            hint = f"{verdict.key} ({verdict.reason})"
        self.stdout.write("")
        self.stdout.write(item.title)
        self.stdout.write(f"  time: {when}")
        self.stdout.write(f"  language: {item.language}   section hint: {hint}")
        if item.byline:
            self.stdout.write(f"  byline: {item.byline}")
        self.stdout.write(f"  address: {item.url}")
        for line in paragraphs(item.body)[:3]:
            self.stdout.write(f"  | {line[:160]}")
