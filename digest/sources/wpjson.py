"""WordPress REST API post objects (``/wp-json/wp/v2/posts``) read into RawArticles."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

import lxml.html

from ..furniture import strip_furniture, strip_trailing_credit
from . import images
from .base import RawArticle, detect_language

SKIP_TAGS = {"figure", "figcaption", "script", "style", "noscript", "iframe", "form", "aside"}
BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "pre", "dd", "dt", "td"}
INLINE_TAGS = {"a", "abbr", "b", "br", "cite", "code", "em", "i", "kbd", "mark", "q", "s"}
INLINE_TAGS |= {"small", "span", "strong", "sub", "sup", "time", "u", "wbr"}
SKIP_CLASSES = re.compile(r"\b(?:ad-label|advert|sharedaddy|jp-relatedposts|wp-caption)\b")


class PostError(ValueError):
    """The object is not a usable post; the message says which field is wrong."""


def read_post(post: Mapping[str, Any], tz: ZoneInfo, origin: str = "") -> RawArticle:
    """Turn one post object into a RawArticle; raises PostError naming what is missing."""
    if not isinstance(post, Mapping):
        raise PostError("not a post object")
    title = _text(_rendered(post.get("title")))
    if not title:
        raise PostError(f"post {post.get('id', '?')} has no title")
    url = str(post.get("link") or _rendered(post.get("guid")) or "").strip()
    if not url:
        raise PostError(f"post {post.get('id', '?')} has no link")
    published = _published(post, tz)
    if published is None:
        raise PostError(f"post {post.get('id', '?')} has no usable date or date_gmt")
    paragraphs = html_paragraphs(_rendered(post.get("content")))
    if not paragraphs:
        raise PostError(f"post {post.get('id', '?')} has no content")
    embedded = post.get("_embedded") or {}
    authors = embedded.get("author") or []
    first = authors[0] if authors else None
    byline = str(first.get("name", "")).strip() if isinstance(first, dict) else ""
    categories = tuple(
        html.unescape(str(term.get("name", "")))
        for group in embedded.get("wp:term") or []
        for term in group or []
        if isinstance(term, dict) and term.get("taxonomy") == "category" and term.get("name")
    )
    body = "\n\n".join(paragraphs)
    return RawArticle(
        url=url,
        title=title,
        body=body,
        language=detect_language(title + "\n" + body),
        published_at=published,
        date_source="article",
        byline=byline,
        categories=categories,
        origin=origin,
        image=images.from_wordpress(embedded),
    )


def html_paragraphs(fragment: str, *, drop_furniture: bool = True) -> list[str]:
    """Paragraph texts of an HTML fragment, without figures, captions, ads or scripts.

    Paragraphs that are page furniture (``digest.furniture``: appeals, bylines, credits...)
    are dropped and credits glued to a paragraph's end cut off, unless ``drop_furniture`` is
    false (a feed's title is read through here too, and a title is never furniture).
    """
    if not fragment or not fragment.strip():
        return []
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    for br in root.iter("br"):
        # A line break inside a paragraph separates words: "Seoul<br>Korea" is two words.
        br.tail = " " + (br.tail or "")
    out: list[str] = []
    _collect(root, out)
    if not drop_furniture:
        return out
    kept = (strip_trailing_credit(strip_furniture(p)[0])[0] for p in out)
    return [p for p in kept if p]


def _collect(element, out: list[str]) -> None:
    """Append the paragraphs under ``element``; loose text and inline runs are paragraphs too."""
    pending: list[str] = [element.text or ""]

    def flush() -> None:
        text = " ".join("".join(pending).split())
        if text:
            out.append(text)
        pending.clear()

    for child in element:
        if not isinstance(child.tag, str):  # a comment or processing instruction
            pending.append(child.tail or "")
            continue
        tag = child.tag.lower()
        inline = tag in INLINE_TAGS
        if tag in SKIP_TAGS or SKIP_CLASSES.search(child.get("class", "")):
            if not inline:
                flush()
            pending.append(child.tail or "")
            continue
        has_blocks = any(
            isinstance(d.tag, str) and d.tag.lower() in BLOCK_TAGS for d in child.iterdescendants()
        )
        if inline and not has_blocks:
            pending.append(child.text_content())
        else:
            flush()
            if tag in BLOCK_TAGS or not has_blocks:
                pending.append(child.text_content())
                flush()
            else:
                _collect(child, out)
        pending.append(child.tail or "")
    flush()


def _rendered(value: Any) -> str:
    if isinstance(value, Mapping):
        value = value.get("rendered", "")
    return value if isinstance(value, str) else ""


def _text(fragment: str) -> str:
    if not fragment:
        return ""
    text = lxml.html.fragment_fromstring(fragment, create_parent="div").text_content()
    return " ".join(html.unescape(text).split())


def _published(post: Mapping[str, Any], tz: ZoneInfo) -> dt.datetime | None:
    for key, zone in (("date_gmt", dt.UTC), ("date", tz)):
        value = post.get(key)
        if not isinstance(value, str) or not value:
            continue
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            continue
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=zone)
        return parsed.astimezone(dt.UTC)
    return None
