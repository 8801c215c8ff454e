"""RSS (0.9x, 1.0, 2.0) and Atom feeds, read by feedparser.

The site's own ``/feed/`` carries the whole story in ``content:encoded``; many partners'
feeds carry only a teaser. When an item has no full text, its page is fetched and the story
extracted from it, so every article reaches the newsletter whole.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any
from zoneinfo import ZoneInfo

import feedparser

from ..http import FetchError, HttpClient
from . import images
from .base import FetchProblem, RawArticle, detect_language
from .html_article import extract_article
from .safety import plain
from .wpjson import html_paragraphs

FEED_TYPES = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5"
)


class FeedSource:
    """One feed address; ``options``: ``{"full_text": "feed" | "page" | "auto"}``."""

    def __init__(
        self,
        location: str,
        time_zone: str = "America/Los_Angeles",
        *,
        options: Mapping[str, Any] | None = None,
        client: HttpClient | None = None,
        language: str = "",
        etag: str = "",
        last_modified: str = "",
    ) -> None:
        self.url = location.strip()
        self.tz = ZoneInfo(time_zone)
        self.options = dict(options or {})
        self.client = client or HttpClient()
        self.language = language
        # What the server answered this time, stored on the Source for the next conditional GET.
        self.validators = {"etag": etag, "last_modified": last_modified}

    def fetch(self, since: dt.datetime | None = None) -> Iterator[RawArticle | FetchProblem]:
        try:
            got = self.client.get(
                self.url,
                etag=self.validators["etag"],
                last_modified=self.validators["last_modified"],
                accept=FEED_TYPES,
            )
        except FetchError as exc:
            yield FetchProblem(self.url, str(exc))
            return
        if got.not_modified:
            return
        parsed = feedparser.parse(
            got.content, response_headers={"content-type": got.content_type or "application/xml"}
        )
        if not parsed.entries and (parsed.bozo or not parsed.get("version")):
            reason = getattr(parsed, "bozo_exception", None) or "no items"
            yield FetchProblem(self.url, f"not a readable RSS or Atom feed ({reason})")
            return
        want_page: list[tuple[dict, RawArticle]] = []
        for n, entry in enumerate(parsed.entries):
            item = self._entry(entry, n)
            if isinstance(item, FetchProblem):
                yield item
                continue
            if since and item.published_at and item.published_at < since:
                continue
            if self._needs_page(entry, item):
                want_page.append((entry, item))
            else:
                yield item
        pages = self.client.get_many(item.url for _, item in want_page)
        for (_entry, item), (_url, page) in zip(want_page, pages, strict=True):
            if isinstance(page, FetchError):
                yield FetchProblem(item.url, f"the article page: {page}")
                if item.body:
                    yield item  # the feed's teaser is better than nothing
                continue
            full = extract_article(page, self.tz, language=self.language, origin=item.url)
            if isinstance(full, FetchProblem):
                yield item if item.body else full
                continue
            yield RawArticle(
                url=item.url,
                title=item.title or full.title,
                body=full.body,
                language=self.language or full.language,
                published_at=item.published_at or full.published_at,
                date_source="article" if (item.published_at or full.published_at) else "fetched",
                byline=item.byline or full.byline,
                categories=item.categories or full.categories,
                origin=item.origin,
                guid=item.guid,
                image=item.image or full.image,
            )
        # Only a feed read to the end is remembered as seen; otherwise ask in full next time.
        self.validators = {"etag": got.etag, "last_modified": got.last_modified}

    def _entry(self, entry, n: int) -> RawArticle | FetchProblem:
        link = (entry.get("link") or "").strip()
        guid = (entry.get("id") or "").strip()
        if not link and guid.startswith(("http://", "https://")):
            link = guid
        origin = f"{self.url} item {n + 1}"
        if not link:
            return FetchProblem(origin, "item has no link")
        title = " ".join(plain(_text(entry.get("title", ""))).split())
        html = ""
        for content in entry.get("content") or []:
            if content.get("value"):
                html = content["value"]
                break
        teaser = entry.get("summary", "") or ""
        paragraphs = html_paragraphs(html) if html else []
        if not paragraphs and teaser:
            paragraphs = html_paragraphs(teaser)
        body = "\n\n".join(plain(p) for p in paragraphs)
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        published = dt.datetime.fromtimestamp(calendar.timegm(stamp), tz=dt.UTC) if stamp else None
        categories = tuple(
            plain(t.get("term", "")).strip() for t in entry.get("tags") or [] if t.get("term")
        )
        return RawArticle(
            url=link,
            title=title,
            body=body,
            language=self.language or detect_language(title + "\n" + body),
            published_at=published,
            date_source="article" if published else "fetched",
            byline=plain(entry.get("author", "")).strip()[:300],
            categories=categories,
            origin=origin,
            guid=guid,
            image=images.from_feed_entry(entry),
        )

    def _needs_page(self, entry, item: RawArticle) -> bool:
        mode = self.options.get("full_text", "auto")
        if mode == "feed":
            return False
        if mode == "page":
            return True
        has_full = any(c.get("value") for c in entry.get("content") or [])
        return not item.title or not (has_full and item.body)


def _text(value: str) -> str:
    """Feed titles may carry markup or entities; only their text is kept."""
    if "<" not in value and "&" not in value:
        return value
    return " ".join(html_paragraphs(value, drop_furniture=False))
