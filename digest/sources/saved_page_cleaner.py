"""The cleaner for article pages saved as text: keep headline, date, byline and body.

A saved page carries furniture around the story: a weather widget (temperature, city, the
day the page was saved), "Must read", each photo caption twice, "- Advertisement -", a
byline, and an author box at the end. Everything that is not the story is dropped here, so
later stages (classify, summarize, render) only ever see article text. What depends on the
page's layout (the header, captions printed twice, where the byline stands) is decided here;
furniture a line shows by itself (appeals, tool notes, portal lines, credits) by the shared
rules of ``digest.furniture``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from ..furniture import (
    BYLINE,
    CAPTION_CREDIT,
    KOREAN_REPORTER,
    MUST_READ,
    furniture_rule,
    record,
    repeats_headline,
    strip_dateline,
    strip_furniture,
    strip_trailing_credit,
)
from ..sentences import split_glued, split_sentences
from .base import detect_language
from .dates import PUBLISHED, WEEKDAY_DATE, parse_local

WEATHER = re.compile(r"^-?\d{1,3}(?:\.\d+)?\s*°?\s*[FC]$")
URL_LINE = re.compile(r"^(?:URL|Source|Canonical)\s*:\s*(https?://\S+)$", re.I)
# Korea JoongAng Daily prints a bare " date 2025-10-23" beside its "Published:" line.
DATE_ONLY_LINE = re.compile(r"^date\s+\d{4}-\d{2}-\d{2}$", re.I)
# A listing page: several stories, each headline followed by a "2026.11.24. 10:30" line.
STORY_TIME = re.compile(r"^\d{4}\.\s?\d{1,2}\.\s?\d{1,2}\.?\s+\d{1,2}:\d{2}$")
# Page chrome a saved page may carry above its headline: the site's name or address, a
# "From" label, dashes, menu words.
_SITE_WORD = r"(?:Daily|Times|News|Herald|Post|Journal|Tribune|Press|Ilbo|Weekly|Gazette|Wire)"
SITE_NAME = re.compile(
    rf"^(?:The\s)?(?:[A-Z][\w.&'-]*\s){{0,3}}{_SITE_WORD}(?:\s(?:LA|USA|US|Online))?$|"
    r"^(?:www\.)?[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|kr|us)/?$|"
    r"^[\uac00-\ud7a3A-Z ]{1,12}(?:일보|신문|뉴스|방송|타임스|데일리)(?:\s?LA)?$"
)
CHROME_WORD = re.compile(
    r"^(?:from|[-–—|•·]+|home|menu|search|log ?in|sign ?in|sign up|share|print|close|"
    r"홈|메뉴|검색|로그인|전체 ?메뉴|"
    # a lone weekday (a widget without its date) and section labels ("kickers")
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day|[월화수목금토일]요일|"
    r"opinion|column|editorial|analysis|commentary|news|local|business|sports|world|politics|"
    r"entertainment|community|오피니언|칼럼|사설|기고|사회|정치|경제|국제|스포츠|연예|문화)$",
    re.I,
)
# "By 김민지" (a Korean name after the English "By"), printed above the headline.
KOREAN_BY = re.compile(r"^(?:by|글)\s*[:=]?\s*(?P<name>[\uac00-\ud7a3]{2,4})(?:\s*기자)?$", re.I)
# Words a headline does not end on: a one-line page's headline ends before its lead begins.
_FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "from",
        "by",
        "with",
        "as",
        "into",
        "over",
        "after",
        "before",
        "about",
        "than",
        "that",
        "this",
        "its",
        "their",
        "his",
        "her",
        "is",
        "are",
        "was",
        "were",
        "be",
    ]
)
# "Headline | Site Daily" or "Headline - Site News": a page title saved with the site's name.
TITLE_WITH_SITE = re.compile(r"^(?P<headline>.{10,}?)\s+[|–—-]\s+(?P<site>.{2,40})$")
# A weather widget and its date run into a page saved as one line.
_INLINE_WIDGET_DATE = re.compile(
    r"^(?:-?\d{1,3}(?:\.\d+)?\s*°?\s*[FC]\s+[A-Z][A-Za-z .'-]{0,30}\s+)?"
    r"(?P<date>(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,\s+[A-Z][a-z]+\.?\s+\d{1,2},\s+\d{4})\s+"
)
# Furniture the cleaner drops wherever it stands; captions and credits depend on position.
SITE_KINDS = frozenset({"appeal", "greeting", "tool-note", "portal"})


class SavedPageError(ValueError):
    """The file is not a usable article page; the message says why."""


@dataclass(frozen=True)
class CleanPage:
    url: str
    headline: str
    byline: str
    published_at: dt.datetime
    date_source: str  # "article", "widget" (the page's save day) or "file" (the file's time)
    language: str
    paragraphs: tuple[str, ...]

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


def clean_page(text: str, tz: ZoneInfo, saved_at: dt.datetime | None = None) -> CleanPage:
    """Clean one saved page; raises SavedPageError when there is no headline or body.

    ``saved_at`` (the file's modification time) dates a page that prints no date of its own,
    flagged as an estimate; without it such a page is refused for want of a date.
    """
    lines = _lines(text)
    if not lines:
        raise SavedPageError("empty file")
    if len(lines) <= 2:
        # Saved as one line (perhaps under an address line): find the widget's date in it.
        lines = [*lines[:-1], *_one_line_page(lines[-1])]

    url = ""
    widget_date = article_date = None
    early_byline = ""
    i = 0
    # The header: an address line, the weather widget (temperature, city, saved-on date), and
    # whatever page chrome was saved above the headline (the site's name, "From", a byline).
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
        elif (m := PUBLISHED.match(line)) and (parsed := parse_local(m.group(1), tz)):
            article_date = parsed
        elif m := BYLINE.match(line) or KOREAN_REPORTER.match(line) or KOREAN_BY.match(line):
            early_byline = early_byline or _name_case(m.group("name").strip())
        elif not (SITE_NAME.match(line) or CHROME_WORD.match(line) or MUST_READ.match(line)):
            break
        i += 1
    if i >= len(lines):
        raise SavedPageError("no headline: the file holds only the page header")
    headline = _without_site_name(lines[i])
    if headline.endswith("."):
        # A page saved without its headline shows its lead here: the dateline at least goes.
        headline = strip_dateline(headline) or headline
    body_lines = lines[i + 1 :]
    if not body_lines:
        headline, body_lines = _split_headline(headline)

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
    language = detect_language(headline + "\n" + "\n".join(kept))
    kept = [part for line in kept for part in split_glued(line)]

    byline, kept = _take_byline(kept)
    kept = _drop_captions(kept)
    kept = [strip_trailing_credit(strip_furniture(line)[0])[0] for line in kept]
    kept = [line for line in kept if line]
    if kept and repeats_headline(kept[0], headline):
        kept = kept[1:]  # the headline printed again as the story's first line
    if not kept:
        raise SavedPageError(f"no article text under the headline {headline!r}")
    date, date_source = article_date, "article"
    if date is None and widget_date is not None:
        date, date_source = widget_date, "widget"
    if date is None and saved_at is not None:
        date, date_source = (saved_at.astimezone(dt.UTC), True), "file"
    if date is None:
        raise SavedPageError(
            f"no date for {headline!r}: add the weather widget's date line or a 'Published:' line"
        )
    return CleanPage(
        url=url or _stand_in_url(headline, date[0]),
        headline=headline,
        byline=byline or early_byline,
        published_at=date[0],
        date_source=date_source,
        language=language,
        paragraphs=tuple(kept),
    )


def clean_pages(text: str, tz: ZoneInfo, saved_at: dt.datetime | None = None) -> list[CleanPage]:
    """Clean a saved page that may be a listing: one CleanPage per story on it.

    A listing page (the Korean site's section pages) runs stories together, each a headline
    followed by a ``2026.11.24. 10:30`` line; each becomes an article of its own, under the
    page's header (widget date) but without the page's address, which is not the story's.
    """
    lines = _lines(text)
    starts = [
        n
        for n, line in enumerate(lines)
        if STORY_TIME.match(line) and n >= 1 and not STORY_TIME.match(lines[n - 1])
    ]
    # At least two stories, each with a line of text: otherwise it is one ordinary article.
    starts = [n for k, n in enumerate(starts) if k == 0 or n - starts[k - 1] >= 3]
    if len(starts) < 2:
        return [clean_page(text, tz, saved_at)]
    header = [line for line in lines[: starts[0] - 1] if not URL_LINE.match(line)]
    pages: list[CleanPage] = []
    bounds = [*starts, len(lines) + 1]
    for k, start in enumerate(starts):
        story = lines[start - 1 : bounds[k + 1] - 1]
        try:
            pages.append(clean_page("\n".join(header + story), tz, saved_at))
        except SavedPageError:
            continue  # a headline with no text under it: a teaser, nothing to keep
    if not pages:
        raise SavedPageError("a listing page with no story text under its headlines")
    return pages


def _lines(text: str) -> list[str]:
    """The page's non-empty lines, without the furniture every page of a site prints."""
    lines = [_normalize(line) for line in text.lstrip("\ufeff").splitlines()]
    return [line for line in lines if line and not _site_furniture(line)]


def _site_furniture(line: str) -> bool:
    """Tickers, appeals, portal lines, tool notes: printed on pages, part of no story."""
    rule = furniture_rule(line)
    if rule is None or rule.kind not in SITE_KINDS:
        return False
    record([(rule.name, line)])
    return True


def _without_site_name(headline: str) -> str:
    """'Headline | Korea JoongAng Daily' -> 'Headline': a page title saved with its site."""
    m = TITLE_WITH_SITE.match(headline)
    if m and SITE_NAME.match(m.group("site")):
        return m.group("headline")
    return headline


def _one_line_page(line: str) -> list[str]:
    """A page saved as one line: the widget's date, if run in, goes on a line of its own."""
    m = _INLINE_WIDGET_DATE.match(line)
    if m:
        return [m.group("date"), line[m.end() :].strip()]
    return [line]


def _split_headline(line: str) -> tuple[str, list[str]]:
    """A headline with the story run into it, as a page saved as one line has it.

    Headlines carry no full stop, so the first sentence holds the headline and the lead.
    The lead starts where a capitalized word follows a headline's last word and repeats one
    of its words (Korean: where the headline's first word comes again); failing that, the
    first sentence is taken for the headline.
    """
    language = detect_language(line)
    sentences = split_sentences(line, language)
    if not sentences:
        return line, []
    first = sentences[0]
    cut = _lead_start(first, language)
    if cut:
        rest = " ".join([first[cut:].strip(), *sentences[1:]])
        return first[:cut].strip(), [rest]
    if len(sentences) < 2:
        return line, []
    return first.rstrip(".").strip(), [" ".join(sentences[1:])]


def _lead_start(sentence: str, language: str) -> int:
    """Where the lead begins inside a headline-and-lead run together, or 0."""
    words = [(m.start(), m.group()) for m in re.finditer(r"\S+", sentence)]
    if language == "ko":
        stem = re.sub(r"[^\uac00-\ud7a3A-Za-z0-9]", "", words[0][1])[:3] if words else ""
        for k in range(3, min(len(words), 15)):
            if len(stem) >= 2 and words[k][1].startswith(stem):
                return words[k][0]
        return 0
    for k in range(5, min(len(words), 21)):
        before, word = words[k - 1][1], words[k][1]
        if not word[:1].isupper() or before[:1].isupper() or before.endswith((",", ":", ";")):
            continue
        if before.lower() in _FUNCTION_WORDS:
            continue
        head = {w[1].lower()[:5] for w in words[:k] if len(w[1]) >= 4}
        lead = {w[1].lower().strip(".,")[:5] for w in words[k : k + 15] if len(w[1]) >= 4}
        if head & lead:
            return words[k][0]
    return 0


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
    return all(furniture_rule(line) is not None for line in _drop_captions(lines))


def _drop_author_box(lines: list[str]) -> list[str]:
    """An author box: a short name line printed twice, then a short bio, at the very end."""
    for n in range(max(1, len(lines) - 4), len(lines) - 1):
        if (
            lines[n] == lines[n + 1]
            and len(lines[n]) <= 60
            and lines[n][-1:] not in ".?!]"
            and furniture_rule(lines[n]) is None
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
