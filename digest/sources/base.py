"""The seam every source kind implements, and the plain data it yields."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from .images import LeadImage

HANGUL = re.compile(r"[\uac00-\ud7a3]")
LETTER = re.compile(r"[A-Za-z\uac00-\ud7a3]")


@dataclass(frozen=True)
class RawArticle:
    """An article as a source gives it, cleaned of page furniture, before it is stored."""

    url: str
    title: str
    body: str  # paragraphs separated by one blank line
    language: str  # "en" or "ko"
    published_at: dt.datetime | None  # aware UTC; None when the source gives no time
    date_source: str = "article"  # "article", "widget" (day the page was saved) or "fetched"
    byline: str = ""
    categories: tuple[str, ...] = ()
    origin: str = ""  # the file or address it came from, for messages
    guid: str = ""  # the source's own id (RSS guid, WordPress ?p=NNN), shared across its feeds
    image: LeadImage | None = None  # the source's lead image, hosted (sources/images.py)


@dataclass(frozen=True)
class FetchProblem:
    """One input a source could not read; the rest of the source is still collected."""

    origin: str
    message: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.message}"


class Source(Protocol):
    def fetch(self, since: dt.datetime | None = None) -> Iterator[RawArticle | FetchProblem]:
        """Yield the articles published since ``since`` (all when None), and problems met."""
        ...


def detect_language(text: str) -> str:
    """Korean when Hangul makes up a fair share of the letters, English otherwise."""
    letters = LETTER.findall(text[:4000])
    if not letters:
        return "en"
    hangul = sum(1 for ch in letters if HANGUL.match(ch))
    return "ko" if hangul / len(letters) > 0.3 else "en"


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
