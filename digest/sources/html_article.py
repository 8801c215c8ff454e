"""One article page (HTML) read into a RawArticle: main text by trafilatura, metadata by hand.

trafilatura is good at finding the story among menus, sidebars and comment threads, but it
reads dates only to the day. The page's own ``<meta>`` tags (``article:published_time``,
``<time datetime>``) give the time, which decides which morning the story belongs to, so those
are read first and trafilatura's metadata is the fallback.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import lxml.html
import trafilatura

from ..furniture import strip_furniture, strip_trailing_credit
from ..http import Fetched
from . import images
from .base import FetchProblem, RawArticle, detect_language
from .safety import plain

_TIME_META = (
    "article:published_time",
    "og:article:published_time",
    "datePublished",
    "pubdate",
    "publishdate",
    "date",
    "dc.date",
    "dc.date.issued",
    "sailthru.date",
)
_AUTHOR_META = ("author", "article:author", "byl", "dc.creator", "sailthru.author")
_TITLE_SUFFIX = re.compile(r"\s+[|\-–—]\s+[^|\-–—]{2,60}$")


def _parse_time(value: str, tz: ZoneInfo) -> dt.datetime | None:
    """An ISO 8601 time (or date) from a page or feed, as aware UTC; naive times are local."""
    value = (value or "").strip()
    if not value:
        return None
    value = value.replace("Z", "+00:00")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        try:
            day = dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
        parsed = dt.datetime.combine(day, dt.time(12))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(dt.UTC)


def extract_article(
    page: Fetched, tz: ZoneInfo, *, language: str = "", origin: str = ""
) -> RawArticle | FetchProblem:
    """The story on an HTML page, or a problem naming why there is none."""
    origin = origin or page.url
    if not page.text.strip():
        return FetchProblem(origin, "empty page")
    try:
        tree = lxml.html.document_fromstring(page.text)
    except (ValueError, lxml.etree.ParserError) as exc:
        return FetchProblem(origin, f"not an HTML page ({exc})")
    meta = _meta(tree)
    try:
        doc = trafilatura.bare_extraction(
            tree,
            url=page.url,
            with_metadata=True,
            include_images=False,
            include_tables=False,
            include_comments=False,
            favor_precision=True,
        )
    except Exception as exc:  # trafilatura raises odd things on odd pages
        return FetchProblem(origin, f"could not extract the article ({type(exc).__name__})")
    title = plain(meta.get("og:title") or (doc.title if doc else "") or _title(tree))
    title = " ".join(title.split())
    paragraphs = _paragraphs(doc, title)
    if not title or not paragraphs:
        return FetchProblem(origin, "no article text found on the page")
    published = None
    for key in _TIME_META:
        if meta.get(key):
            published = _parse_time(meta[key], tz)
            if published:
                break
    if published is None:
        times = tree.xpath("//time[@datetime]/@datetime")
        published = _parse_time(times[0], tz) if times else None
    if published is None and doc is not None and doc.date:
        published = _parse_time(doc.date, tz)
    byline = next((meta[k] for k in _AUTHOR_META if meta.get(k)), "") or (
        doc.author if doc and doc.author else ""
    )
    canonical = tree.xpath("//link[@rel='canonical']/@href")
    url = canonical[0].strip() if canonical and canonical[0].startswith("http") else page.url
    lang = language or _page_language(tree) or ""
    body = "\n\n".join(paragraphs)
    categories = tuple(v for k, v in meta.items() if k == "article:section" and v)
    return RawArticle(
        url=url,
        title=title[:500],
        body=body,
        language=lang if lang in {"en", "ko"} else detect_language(title + "\n" + body),
        published_at=published,
        date_source="article" if published else "fetched",
        byline=" ".join(plain(byline).split())[:300],
        categories=categories,
        origin=origin,
        image=images.from_meta(meta),
    )


def _meta(tree) -> dict[str, str]:
    found: dict[str, str] = {}
    for el in tree.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip()
        value = (el.get("content") or "").strip()
        if key and value and key not in found:
            found[key] = value
            found.setdefault(key.lower(), value)
    return found


def _title(tree) -> str:
    h1 = tree.xpath("//h1")
    if h1:
        return h1[0].text_content()
    title = tree.findtext(".//title") or ""
    return _TITLE_SUFFIX.sub("", title)


def _page_language(tree) -> str:
    lang = (tree.get("lang") or tree.get("xml:lang") or "").lower()
    return lang[:2] if lang[:2] in {"en", "ko"} else ""


def _paragraphs(doc, title: str) -> list[str]:
    if doc is None or doc.body is None:
        return []
    out: list[str] = []
    for el in doc.body:
        if el.tag == "list":
            texts = [" ".join("".join(item.itertext()).split()) for item in el]
        else:
            texts = [" ".join("".join(el.itertext()).split())]
        for text in texts:
            text = plain(text)
            if not text or (el.tag == "head" and text == title):
                continue
            text = strip_trailing_credit(strip_furniture(text)[0])[0]
            if text:
                out.append(text)
    return out
