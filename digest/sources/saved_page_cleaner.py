"""The cleaner for article pages saved as text: keep headline, date, byline and body.

A saved page carries furniture around the story: a weather widget (temperature, city, the
day the page was saved), "Must read", each photo caption twice, "- Advertisement -", a
byline, and an author box at the end. Everything that is not the story is dropped here, so
later stages (classify, summarize, render) only ever see article text.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from .base import detect_language
from .dates import PUBLISHED, WEEKDAY_DATE, parse_local

WEATHER = re.compile(r"^-?\d{1,3}(?:\.\d+)?\s*°?\s*[FC]$")
URL_LINE = re.compile(r"^(?:URL|Source|Canonical)\s*:\s*(https?://\S+)$", re.I)
AD_LABEL = re.compile(r"^[-–—\s]*(?:advertisement|광고)[-–—\s]*$", re.I)
MUST_READ = re.compile(r"^(?:must read|editor'?s pick|추천 기사)$", re.I)
_NAME_WORD = r"[A-Z][A-Za-z'.\-]+"
BYLINE = re.compile(
    rf"^(?:BY|By|by)\s+(?P<name>{_NAME_WORD}(?:(?:\s+|\s*,\s*|\s+and\s+){_NAME_WORD}){{0,6}})"
    r"\s*(?:\[[^\]]*\]|\(?\S+@\S+\)?)?$"
)
KOREAN_REPORTER = re.compile(
    r"^(?P<name>[\uac00-\ud7a3]{2,4})\s?(?:기자|특파원|객원기자)(?:\s*[\[(]?\S+@\S+[\])]?)?$"
)
CAPTION_CREDIT = re.compile(r"\[[^\[\]]{2,60}\]$")
TAG_LINE = re.compile(r"^(?:#\S+\s*)+$|^(?:tags?|태그|관련 ?태그|키워드)\s*[:：]", re.I)
# Korea JoongAng Daily prints a bare " date 2025-10-23" beside its "Published:" line.
DATE_ONLY_LINE = re.compile(r"^date\s+\d{4}-\d{2}-\d{2}$", re.I)
# A listing page: several stories, each headline followed by a "2026.11.24. 10:30" line.
STORY_TIME = re.compile(r"^\d{4}\.\s?\d{1,2}\.\s?\d{1,2}\.?\s+\d{1,2}:\d{2}$")
# Site-wide furniture printed on every page: headline tickers and donation appeals.
TICKER = re.compile(
    r"^(?:breaking(?: news)?|trending(?: now)?|latest(?: news)?|top stories|most read|"
    r"속보|많이 본 뉴스|인기 ?기사|최신 ?뉴스|주요 ?뉴스)\s*(?:[:|›»▶-]|$)",
    re.I,
)
DONATE_BUTTON = re.compile(
    r"^(?:donate|support us|subscribe|후원하기|구독하기)(?:\s+(?:now|today))?[.!]?$", re.I
)
DONATE_APPEAL = re.compile(r"\b(?:donat\w*|support us|contribut\w*|후원)", re.I)
APPEAL_SUBJECT = re.compile(
    r"journalism|newsroom|our (?:work|reporting)|independent|저널리즘|언론|후원해", re.I
)
# Paragraphs glued at a full stop: "said.The" / "밝혔다.한편". Abbreviations stay whole.
_ABBREVIATIONS = ("Mr", "Mrs", "Ms", "Dr", "St", "Jr", "Sr", "No", "vs", "Gov", "Sen", "Rep")
_GLUED_EN = re.compile(
    "".join(rf"(?<!\b{a}\.)" for a in _ABBREVIATIONS)
    + r"(?:(?<=[a-z0-9%)][.!?])|(?<=[a-z0-9%)][.!?][\"”’]))(?=[A-Z][a-z])"
)
_GLUED_KO = re.compile(
    r"(?<=[다요죠까][.!?])(?=[\uac00-\ud7a3“\"])|(?<=[다요][.!?][”\"])(?=[\uac00-\ud7a3])"
)


class SavedPageError(ValueError):
    """The file is not a usable article page; the message says why."""


@dataclass(frozen=True)
class CleanPage:
    url: str
    headline: str
    byline: str
    published_at: dt.datetime
    date_source: str  # "article" or "widget"
    language: str
    paragraphs: tuple[str, ...]

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


def clean_page(text: str, tz: ZoneInfo) -> CleanPage:
    """Clean one saved page; raises SavedPageError when there is no headline, date or body."""
    lines = [_normalize(line) for line in text.lstrip("\ufeff").splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise SavedPageError("empty file")
    lines = [line for line in lines if not _site_furniture(line)]

    url = ""
    widget_date = article_date = None
    i = 0
    # The header: an address line, the weather widget (temperature, city, saved-on date).
    while i < len(lines):
        line = lines[i]
        if m := URL_LINE.match(line):
            url = m.group(1)
        elif WEATHER.match(line):
            # The city follows the temperature.
            if i + 1 < len(lines) and _looks_like_city(lines[i + 1]):
                i += 1
        elif WEEKDAY_DATE.match(line):
            widget_date = parse_local(line, tz)
        elif DATE_ONLY_LINE.match(line):
            article_date = parse_local(line.split()[-1], tz)
        else:
            break
        i += 1
    if i >= len(lines):
        raise SavedPageError("no headline: the file holds only the page header")
    headline = lines[i]
    body_lines = lines[i + 1 :]

    # A date the article gives itself, printed under the headline (perhaps twice: a bare
    # "date 2025-10-23" and a "Published:" line with the time). The one with a time wins.
    kept: list[str] = []
    for n, line in enumerate(body_lines):
        if n < 4 and len(kept) <= 1:
            m = PUBLISHED.match(line)
            parsed = parse_local(m.group(1) if m else line, tz)
            if parsed:
                if article_date is None or (parsed[1] and not article_date[1]):
                    article_date = parsed
                continue
        kept.append(line)
    kept = [part for line in kept for part in _split_glued(line)]

    byline, kept = _take_byline(kept)
    kept = _drop_captions(kept)
    kept = [
        line
        for line in kept
        if not (AD_LABEL.match(line) or MUST_READ.match(line) or TAG_LINE.match(line))
    ]
    if not kept:
        raise SavedPageError(f"no article text under the headline {headline!r}")
    date = article_date or widget_date
    if date is None:
        raise SavedPageError(
            f"no date for {headline!r}: add the weather widget's date line or a 'Published:' line"
        )
    language = detect_language(headline + "\n" + "\n".join(kept))
    return CleanPage(
        url=url or _stand_in_url(headline, date[0]),
        headline=headline,
        byline=byline,
        published_at=date[0],
        date_source="article" if article_date else "widget",
        language=language,
        paragraphs=tuple(kept),
    )


def clean_pages(text: str, tz: ZoneInfo) -> list[CleanPage]:
    """Clean a saved page that may be a listing: one CleanPage per story on it.

    A listing page (the Korean site's section pages) runs stories together, each a headline
    followed by a ``2026.11.24. 10:30`` line; each becomes an article of its own, under the
    page's header (widget date) but without the page's address, which is not the story's.
    """
    lines = [_normalize(line) for line in text.lstrip("\ufeff").splitlines()]
    lines = [line for line in lines if line and not _site_furniture(line)]
    starts = [
        n
        for n, line in enumerate(lines)
        if STORY_TIME.match(line) and n >= 1 and not STORY_TIME.match(lines[n - 1])
    ]
    # At least two stories, each with a line of text: otherwise it is one ordinary article.
    starts = [n for k, n in enumerate(starts) if k == 0 or n - starts[k - 1] >= 3]
    if len(starts) < 2:
        return [clean_page(text, tz)]
    header = [line for line in lines[: starts[0] - 1] if not URL_LINE.match(line)]
    pages: list[CleanPage] = []
    bounds = [*starts, len(lines) + 1]
    for k, start in enumerate(starts):
        story = lines[start - 1 : bounds[k + 1] - 1]
        try:
            pages.append(clean_page("\n".join(header + story), tz))
        except SavedPageError:
            continue  # a headline with no text under it: a teaser, nothing to keep
    if not pages:
        raise SavedPageError("a listing page with no story text under its headlines")
    return pages


def _split_glued(line: str) -> list[str]:
    """Split paragraphs that lost their break: "...said.The next..." is two paragraphs."""
    parts = _GLUED_KO.split(line) if _GLUED_KO.search(line) else [line]
    out: list[str] = []
    for part in parts:
        out.extend(_GLUED_EN.split(part) if _GLUED_EN.search(part) else [part])
    return [p.strip() for p in out if p.strip()]


def _site_furniture(line: str) -> bool:
    """Headline tickers and donation appeals: printed on every page, part of no story."""
    if TICKER.match(line) or DONATE_BUTTON.match(line) or line.count(" | ") >= 2:
        return True
    return len(line) <= 200 and bool(DONATE_APPEAL.search(line) and APPEAL_SUBJECT.search(line))


def _normalize(line: str) -> str:
    return " ".join(line.replace("\u00a0", " ").split())


def _looks_like_city(line: str) -> bool:
    return len(line) <= 40 and line[-1:] not in ".?!" and not WEEKDAY_DATE.match(line)


def _take_byline(lines: list[str]) -> tuple[str, list[str]]:
    """Find the byline; what follows a closing byline (ad label, author box, tags) is dropped."""
    for n, line in enumerate(lines):
        m = BYLINE.match(line) or KOREAN_REPORTER.match(line)
        if not m:
            continue
        name = _name_case(m.group("name").strip())
        if _only_furniture(lines[:n]):
            # An opening byline (under the headline, after captions or "Must read"): the
            # story follows it.
            return name, lines[:n] + lines[n + 1 :]
        if n >= len(lines) - 6:
            # At the end of the page the byline closes the story; after it comes furniture.
            return name, lines[:n]
        return name, lines[:n] + lines[n + 1 :]
    return "", _drop_author_box(lines)


def _only_furniture(lines: list[str]) -> bool:
    """True when the lines hold no story text: only captions, labels and tags."""
    return not [
        line
        for line in _drop_captions(lines)
        if not (AD_LABEL.match(line) or MUST_READ.match(line) or TAG_LINE.match(line))
    ]


def _drop_author_box(lines: list[str]) -> list[str]:
    """An author box: a short name line printed twice, then a short bio, at the very end."""
    for n in range(max(1, len(lines) - 4), len(lines) - 1):
        if (
            lines[n] == lines[n + 1]
            and len(lines[n]) <= 60
            and lines[n][-1:] not in ".?!]"
            and not (
                AD_LABEL.match(lines[n]) or MUST_READ.match(lines[n]) or TAG_LINE.match(lines[n])
            )
        ):
            return lines[:n]
    return lines


def _drop_captions(lines: list[str]) -> list[str]:
    """Drop photo captions: a line repeated (or nearly) by the next, or ending in a credit."""
    out: list[str] = []
    n = 0
    while n < len(lines):
        line = lines[n]
        nxt = lines[n + 1] if n + 1 < len(lines) else None
        if nxt is not None and _near_identical(line, nxt):
            n += 2
            continue
        if CAPTION_CREDIT.search(line) and not line.endswith(("].", "]”", ']"')):
            n += 1
            continue
        out.append(line)
        n += 1
    return out


def _near_identical(a: str, b: str) -> bool:
    """The same caption twice, or alt text then the caption (with a credit, a full stop)."""
    if a == b:
        return True
    a2 = CAPTION_CREDIT.sub("", a).strip().rstrip(".")
    b2 = CAPTION_CREDIT.sub("", b).strip().rstrip(".")
    if min(len(a2), len(b2)) < 20:
        return False
    if a2 == b2:
        return True
    return difflib.SequenceMatcher(None, a2, b2, autojunk=False).ratio() >= 0.9


def _name_case(name: str) -> str:
    """'KANG TAE-HWA' -> 'Kang Tae-hwa'; names already in mixed case stay as printed."""
    words = name.split()
    names = [word for word in words if word.lower() != "and"]
    if any(word.upper() != word for word in names) or not re.search(r"[A-Z]", name):
        return name
    return " ".join(
        "and" if word.lower() == "and" else word[:1] + word[1:].lower() for word in words
    )


def _stand_in_url(headline: str, published: dt.datetime) -> str:
    """A stable identity for a page saved without its address, so re-collecting matches."""
    digest = hashlib.sha1(f"{headline}|{published:%Y-%m-%d}".encode()).hexdigest()[:20]
    return f"urn:digest:page:{digest}"
