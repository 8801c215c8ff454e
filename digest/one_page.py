"""One page read for inspection, stored nowhere: ``digest sources test`` and
``digest classify`` see a page exactly as a collection would.

A saved file (``.txt`` or ``.json``) is read by the folder source's own reader; an address is
fetched once, its kind guessed from the answer (WordPress API, feed, or page) and read by that
kind's source, which asks the client again for the same address without a second fetch.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser

from .http import Fetched, FetchError, HttpClient
from .sources import SOURCES, FetchProblem, FolderSource, RawArticle
from .sources.files import SUFFIXES
from .sources.html_article import extract_article

MIN_ARTICLE_CHARS = 150


class PageError(Exception):
    """The page could not be read; the message is one line an editor can act on."""


class OnceClient(HttpClient):
    """Answers an address it has fetched from memory: the first fetch serves the reader too."""

    def __init__(self) -> None:
        super().__init__(attempts=2, backoff=0.2)
        self._seen: dict[str, Fetched] = {}

    def get(self, url: str, **kwargs: object) -> Fetched:
        if url in self._seen and not kwargs.get("params"):
            return self._seen[url]
        got = super().get(url, **kwargs)
        self._seen.setdefault(url, got)
        return got


def open_url(
    url: str, client: OnceClient, time_zone: str, kind: str | None = None
) -> tuple[str, Fetched, Iterator[RawArticle | FetchProblem]]:
    """Fetch ``url`` once; its kind (given or guessed), the answer, and what its reader yields.

    Raises ``FetchError`` when the address cannot be fetched.
    """
    first = client.get(url)
    kind = kind or guess_kind(url, first)
    options = {}
    if kind == "page" and is_article(first, ZoneInfo(time_zone)):
        options = {"urls": [url]}  # an article page itself, not a section front
    reader = SOURCES[kind](url, time_zone=time_zone, client=client, options=options)
    return kind, first, reader.fetch(None)


def read_page(location: str, time_zone: str) -> list[RawArticle]:
    """The stories on one saved file or web address (a listing may hold several).

    Raises ``PageError`` when there is no such file, the address cannot be fetched, or the
    page holds no story.
    """
    if location.startswith(("http://", "https://")):
        with OnceClient() as client:
            try:
                _, _, items = open_url(location, client, time_zone)
                found = list(items)
            except FetchError as exc:
                raise PageError(f"{location}: {exc}") from None
    else:
        path = Path(location).expanduser()
        if not path.is_file():
            raise PageError(f"{location}: no such file")
        if path.suffix.lower() not in SUFFIXES:
            raise PageError(f"{location}: not a saved page (.txt) or a WordPress post (.json)")
        found = list(FolderSource(path.parent, time_zone=time_zone).read_file(path))
    articles = [item for item in found if isinstance(item, RawArticle)]
    if not articles:
        problems = [item for item in found if isinstance(item, FetchProblem)]
        raise PageError(str(problems[0]) if problems else f"{location}: no article on the page")
    return articles


def is_article(page: Fetched, tz: ZoneInfo) -> bool:
    """A page with a story of some length on it is an article, not a section front."""
    found = extract_article(page, tz)
    return isinstance(found, RawArticle) and len(found.body) >= MIN_ARTICLE_CHARS


def guess_kind(url: str, first: Fetched) -> str:
    """A WordPress API answers JSON, a feed parses as RSS/Atom; anything else is a page."""
    if "/wp-json/" in url or first.text.lstrip().startswith("["):
        return "wordpress"
    if "html" not in first.content_type.lower():
        parsed = feedparser.parse(first.content)
        if parsed.get("version") or parsed.entries:
            return "feed"
    return "page"
