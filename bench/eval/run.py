"""Run the product's real collection path on the corpus and read back what it stored.

Saved pages and WordPress posts go through ``FolderSource`` (a copy of the chosen pages in a
throwaway folder), HTML pages through ``PageSource`` from the local web server the tests use;
both through ``digest.collect.collect`` into a throwaway SQLite database. Each source is
wrapped in ``_Observed``, which passes every item on unchanged and notes the page it came
from, so a stored article (or a collector's problem) is matched back to its page.

Django must be set up before this module is imported (``bench/eval/__main__.py`` does it).
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from digest.canonical import canonical_url
from digest.collect import collect, section_rules
from digest.http import HttpClient
from digest.models import Article
from digest.sources import FetchProblem, FolderSource, PageSource, RawArticle
from digest.testing.local_web import LocalWeb

from .corpus import Page
from .score import Outcome, unclean_parts


class _Observed:
    """A source passed through unchanged, noting which page each item came from."""

    def __init__(self, reader, page_of) -> None:
        self.reader = reader
        self.page_of = page_of
        self.urls: dict[str, list[str]] = defaultdict(list)
        self.problems: dict[str, list[str]] = defaultdict(list)

    def fetch(self, since=None) -> Iterator[RawArticle | FetchProblem]:
        for item in self.reader.fetch(since):
            name = self.page_of(item.origin)
            if isinstance(item, FetchProblem):
                self.problems[name].append(item.message)
            else:
                self.urls[name].append(canonical_url(item.url))
            yield item


def evaluate(pages: Sequence[Page], workdir: Path) -> list[Outcome]:
    """Collect every page and judge what was stored; one Outcome per page, in page order."""
    folder = workdir / "saved"
    folder.mkdir()
    for page in pages:
        if page.format in {".txt", ".json"}:
            shutil.copy(page.path, folder / page.name)
    html = [page for page in pages if page.format == ".html"]
    roots = {page.path.parent for page in html}
    if len(roots) > 1:
        raise ValueError("the HTML pages must share one folder")
    with (
        LocalWeb(root=roots.pop() if roots else workdir) as web,
        HttpClient(attempts=1) as client,
    ):
        urls = [web.url("/" + page.name) for page in html]
        files = _Observed(FolderSource(folder), lambda origin: Path(origin.split("[")[0]).name)
        web_pages = _Observed(
            PageSource(web.url("/"), options={"urls": urls}, client=client),
            lambda origin: Path(urlsplit(origin).path).name,
        )
        sources = [("saved pages", files, None)]
        if urls:
            sources.append(("web pages", web_pages, None))
        report = collect(sources)
    # A source that raised is reported under its own name, not a page's: nothing to judge.
    failures = [str(p) for s in report.sources for p in s.problems if p.origin == s.name]
    if failures:
        raise RuntimeError("a source failed as a whole: " + "; ".join(failures))
    rules = section_rules()
    outcomes = []
    for page in pages:
        seen = files if page.format != ".html" else web_pages
        outcomes.append(_outcome(page, seen.urls[page.name], seen.problems[page.name], rules))
    return outcomes


def _outcome(page: Page, urls: list[str], problems: list[str], rules) -> Outcome:
    article = (
        Article.objects.select_related("section", "section_runner_up").filter(url__in=urls).first()
        if urls
        else None
    )
    if article is None:
        if problems:
            why = "; ".join(problems)
        elif urls:
            why = "read, but no article stored under its address (merged as a duplicate?)"
        else:
            why = "the source yielded nothing for it"
        return Outcome(page, collected=False, problem=why)
    thin = article.section_thin_margin  # the classifier's own verdict, stored at collection
    runner = article.section_runner_up
    margin = f"runner-up {runner.key}" if runner else "no runner-up"
    return Outcome(
        page,
        collected=True,
        section=article.section.key if article.section else "",
        title=article.title,
        summary=article.summary,
        thin=thin,
        margin=margin,
        unclean=unclean_parts(article.summary, page.summary_sentences),
    )
