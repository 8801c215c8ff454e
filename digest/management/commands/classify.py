from __future__ import annotations

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ...classify import explain
from ...collect import section_rules
from ...one_page import PageError, read_page


class Command(BaseCommand):
    help = (
        "Show which section one page would get and why: `classify FILE|URL` (a saved .txt "
        "page, a WordPress .json post, or an address). Per section: the keywords found, their "
        "weights and where (headline, lead, body). Nothing is stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("location", help="a saved page (.txt), a post (.json) or a URL")
        parser.add_argument(
            "--json",
            dest="as_json",
            action="store_true",
            help="print JSON: one object, or a list when the page holds several stories",
        )

    def handle(self, *args, location, as_json: bool = False, **options):
        try:
            articles = read_page(location, settings.DIGEST_TIME_ZONE)
        except PageError as exc:
            raise CommandError(str(exc)) from None
        rules = section_rules()
        if not rules:
            raise CommandError("no sections: add them in the admin (or run `digest migrate`)")
        found = []
        for article in articles:
            found.append(
                {
                    "title": article.title,
                    "language": article.language,
                    "url": article.url,
                    "categories": list(article.categories),
                    **explain(article.title, article.body, article.categories, rules),
                }
            )
        if as_json:
            self.stdout.write(_json(found[0] if len(found) == 1 else found))
            return
        for n, page in enumerate(found):
            if n:
                self.stdout.write("")
            self._show(page)

    def _show(self, page: dict) -> None:
        self.stdout.write(page["title"])
        self.stdout.write(f"  section: {page['section']} ({page['reason']})")
        if page["runner_up"]:
            self.stdout.write(f"  runner-up: {page['runner_up']}, margin {page['margin']:g}")
        if page["thin"]:
            self.stdout.write("  thin margin: an editor should check the section")
        for section in page["sections"]:
            self.stdout.write(f"  {section['key']}: {section['score']:g}")
            for k in section["keywords"]:
                self.stdout.write(
                    f"    {k['word']} ×{k['weight']:g}: headline {k['headline']}, "
                    f"lead {k['lead']}, body {k['body']} = {k['points']:g}"
                )


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
