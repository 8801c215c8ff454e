from __future__ import annotations

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ...furniture import recording
from ...one_page import PageError, read_page
from ...summarize import explain

LENGTHS = ("short", "standard")


class Command(BaseCommand):
    help = (
        "Show the summary one page would get and why: `summarize FILE|URL` (a saved .txt page, "
        "a WordPress .json post, or an address). Lists every piece of text left out, from the "
        "page as it was read and from the story as it was summarized, with the rule that left "
        "it out (an appeal, a caption, a reporter line, ...). Nothing is stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("location", help="a saved page (.txt), a post (.json) or a URL")
        parser.add_argument(
            "--length",
            choices=LENGTHS,
            default="standard",
            help="a list's summary length (default: standard, what an article keeps)",
        )
        parser.add_argument(
            "--json",
            dest="as_json",
            action="store_true",
            help="print JSON: one object, or a list when the page holds several stories",
        )

    def handle(self, *args, location, length: str, as_json: bool = False, **options):
        try:
            with recording() as cleaned:
                articles = read_page(location, settings.DIGEST_TIME_ZONE)
        except PageError as exc:
            raise CommandError(str(exc)) from None
        # What the page's reader dropped before the story was stored (the page's, when it
        # holds several stories), then what the summarizer left out of the story.
        # A line may be judged more than once while a page is read: each is shown once.
        page_removed = [{"rule": rule, "text": text} for rule, text in dict.fromkeys(cleaned)]
        page_rules = [r["rule"] for r in page_removed]
        found = []
        for article in articles:
            summary = explain(article.body, article.language, article.title, length)
            found.append(
                {
                    "title": article.title,
                    "language": article.language,
                    "url": article.url,
                    "length": length,
                    "summary": summary.text,
                    "needs_summary": not summary.text.strip(),
                    "fallback": summary.fallback,
                    "rules": list(dict.fromkeys([*page_rules, *summary.rules])),
                    "removed_from_page": page_removed,
                    "removed": [{"rule": r.rule, "text": r.text} for r in summary.removed],
                }
            )
        if as_json:
            value = found[0] if len(found) == 1 else found
            self.stdout.write(json.dumps(value, ensure_ascii=False, indent=2))
            return
        for n, page in enumerate(found):
            if n:
                self.stdout.write("")
            self._show(page)

    def _show(self, page: dict) -> None:
        self.stdout.write(page["title"])
        if page["needs_summary"]:
            self.stdout.write("  no usable sentence: the desk will ask for a summary")
        else:
            note = " (fallback: the rules left no sentence)" if page["fallback"] else ""
            self.stdout.write(f"  summary{note}: {page['summary']}")
        for where, key in (("page", "removed_from_page"), ("summary", "removed")):
            for removal in page[key]:
                text = removal["text"]
                shown = text if len(text) <= 100 else text[:99] + "…"
                self.stdout.write(f"  {where}: removed by {removal['rule']}: {shown}")
