"""Plain web pages: a fixed list of article addresses, or a section front to find them on.

For partners with neither a feed nor an API. ``options["urls"]`` lists article pages; without
it, ``location`` is a section front, and the links on it that look like articles (same site,
matching ``options["link_pattern"]``) are fetched, each extracted by trafilatura.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import lxml.html

from ..canonical import canonical_url
from ..http import FetchError, HttpClient
from .base import FetchProblem, RawArticle
from .html_article import extract_article

MAX_LINKS = 40
# Article addresses on news sites: a dated or numbered path, a long slug, or WordPress's ?p=.
ARTICLE_LINK = r"(/\d{4}/\d{2}/|/articles?/|/news/|[?&]p=\d+|/\d{5,}|/[a-z0-9]+(?:-[a-z0-9]+){3,})"


class PageSource:
    """``location``: a section front (or the site); ``options``: ``urls``, ``link_pattern``,
    ``max_links``."""

    def __init__(
        self,
        location: str,
        time_zone: str = "America/Los_Angeles",
        *,
        options: Mapping[str, Any] | None = None,
        client: HttpClient | None = None,
        language: str = "",
        **_ignored: Any,
    ) -> None:
        self.location = location.strip()
        self.tz = ZoneInfo(time_zone)
        self.options = dict(options or {})
        self.client = client or HttpClient()
        self.language = language

    def fetch(self, since: dt.datetime | None = None) -> Iterator[RawArticle | FetchProblem]:
        urls = [str(u) for u in self.options.get("urls") or []]
        if not urls:
            try:
                front = self.client.get(self.location, accept="text/html")
            except FetchError as exc:
                yield FetchProblem(self.location, str(exc))
                return
            urls = _article_links(
                front.text,
                front.url,
                self.options.get("link_pattern") or ARTICLE_LINK,
                int(self.options.get("max_links", MAX_LINKS)),
            )
            if not urls:
                yield FetchProblem(self.location, "no article links found on the page")
                return
        for url, page in self.client.get_many(urls):
            if isinstance(page, FetchError):
                yield FetchProblem(url, str(page))
                continue
            item = extract_article(page, self.tz, language=self.language, origin=url)
            if (
                isinstance(item, RawArticle)
                and since
                and item.published_at
                and item.published_at < since
            ):
                continue
            yield item


def _article_links(html: str, base: str, pattern: str, limit: int) -> list[str]:
    """Links on a front page to articles of the same site, each once, in page order."""
    try:
        tree = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return []
    host = urlsplit(base).netloc.lower()
    wanted = re.compile(pattern)
    seen: set[str] = set()
    out: list[str] = []
    for href in tree.xpath("//a/@href"):
        url = urljoin(base, href.strip())
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or parts.netloc.lower() != host:
            continue
        if not wanted.search(url):
            continue
        key = canonical_url(url)
        if key in seen or key == canonical_url(base):
            continue
        seen.add(key)
        out.append(url.split("#", 1)[0])
        if len(out) >= limit:
            break
    return out
