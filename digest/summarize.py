"""Extractive 2-3 sentence summaries for the newsletter, in English and Korean.

News is written lead first, so the opening sentences are the summary a reader expects; without
a neural model the lead-3 baseline is hard to beat. The work is in skipping what is not story:
photo captions, bylines, datelines, ad labels, subheadings, tag lines and stray fragments.
"""

from __future__ import annotations

import re
from typing import Protocol

from digest.sentences import is_sentence, split_sentences

DEFAULT_MAX_CHARS = {"en": 420, "ko": 220}
MIN_SENTENCE_CHARS = {"en": 20, "ko": 10}
MIN_QUOTE_PARAGRAPH_CHARS = 25

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n")
_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"

# A photo credit closing a caption: "[YONHAP]", "[KANG TAE-HWA]", "[연합뉴스]", "[AP=연합뉴스]".
# Lowercase is excluded so a bracketed email or "[sic]" is not mistaken for one.
_CAPTION = re.compile(r"\[[A-Z0-9\uac00-\ud7a3][A-Z0-9\uac00-\ud7a3 .,'’&/=·-]*\]\s*$")
_QUOTE_OPENERS = "\"'“‘「『"

_NAME = r"[A-Z][\w'’.-]*"
_JUNK_LINES = (
    # "By Jane Doe", "BY KANG TAE-HWA [x@y.com]", "By Jane Doe and John Roe, Associated Press"
    re.compile(
        rf"^(?:By|BY)\s+{_NAME}(?:(?:\s+|\s*,\s*|\s+and\s+){_NAME}){{0,7}}"
        rf"\s*(?:\[[^\]]*\]|\(?{_EMAIL}\)?)?\s*$"
    ),
    # "김지훈 기자", "김지훈·이수진 기자 kim@example.com", "워싱턴=박소연 특파원"
    re.compile(
        rf"^(?:\S+=)?[\uac00-\ud7a3]{{2,4}}(?:\s*[·,]\s*[\uac00-\ud7a3]{{2,4}})*"
        rf"\s*(?:기자|특파원)\s*(?:\[?\(?{_EMAIL}\)?\]?)?\s*$"
    ),
    re.compile(r"^[-–—\s]*(?:advertisement|광고)[-–—\s]*$", re.IGNORECASE),
    re.compile(r"^#\S+(?:\s+#\S+)*$"),
)

_DATELINES = (
    # "SEOUL — ", "LOS ANGELES (AP) — ", "SEOUL, Nov. 24 (Yonhap) -- ", "WASHINGTON – "
    re.compile(
        r"^[A-Z][A-Z.'’-]+(?: [A-Z][A-Z.'’-]*){0,3}"
        r"(?:,(?: [A-Z][\w.]*| \d{1,2}){1,3})?"
        r"(?: \([^)]{1,40}\))?"
        r" ?(?:—|–|--|-) "
    ),
    # "[LA중앙일보] "
    re.compile(r"^\[[^\]]{1,30}\] ?(?=\S)"),
    # "(서울=연합뉴스) 김지훈 기자 = ", "【서울=뉴시스】 "
    re.compile(
        r"^[(【][^)】=]{1,20}=[^)】]{1,20}[)】] ?"
        r"(?:[\uac00-\ud7a3]{2,4}(?:\s*[·,]\s*[\uac00-\ud7a3]{2,4})*\s*(?:기자|특파원)\s*= ?)?"
    ),
)


class Summarizer(Protocol):
    def summarize(self, body: str, language: str) -> str:
        """Return a short summary of ``body``, or "" when there is nothing to summarise."""
        ...


class LeadSummarizer:
    """The first usable sentences of the story, whole, within a character budget."""

    def __init__(
        self, max_sentences: int = 3, min_sentences: int = 2, max_chars: int | None = None
    ) -> None:
        if not 1 <= min_sentences <= max_sentences:
            raise ValueError("need 1 <= min_sentences <= max_sentences")
        self.max_sentences = max_sentences
        self.min_sentences = min_sentences
        self.max_chars = max_chars

    def summarize(self, body: str, language: str) -> str:
        if language not in DEFAULT_MAX_CHARS:
            raise ValueError(f"unsupported language {language!r}")
        budget = self.max_chars if self.max_chars is not None else DEFAULT_MAX_CHARS[language]
        chosen: list[str] = []
        length = 0
        for sentence in _story_sentences(body, language):
            added = len(sentence) + (1 if chosen else 0)
            if len(chosen) >= self.min_sentences and length + added > budget:
                break
            chosen.append(sentence)
            length += added
            if len(chosen) >= self.max_sentences:
                break
        return " ".join(chosen)


_default = LeadSummarizer()


def summarize(body: str, language: str) -> str:
    """Summarise with the default lead summarizer."""
    return _default.summarize(body, language)


def _story_sentences(body: str, language: str) -> list[str]:
    """The body's sentences in order, without captions, bylines, datelines and other furniture."""
    minimum = MIN_SENTENCE_CHARS[language]
    sentences: list[str] = []
    for paragraph in _story_paragraphs(body, language):
        sentences.extend(s for s in split_sentences(paragraph, language) if len(s) >= minimum)
    return sentences


def _story_paragraphs(body: str, language: str) -> list[str]:
    kept: list[str] = []
    for paragraph in _PARAGRAPH_BREAK.split(body):
        # Lines inside a paragraph are soft wraps, but a byline or ad label may still sit on
        # its own line when the source did not separate it with a blank line.
        if _CAPTION.search(paragraph):
            continue
        lines = [line.strip() for line in paragraph.splitlines()]
        text = " ".join(line for line in lines if line and not _is_junk_line(line))
        text = _strip_dateline(text)
        if not text or not is_sentence(text, language) or _is_quote_fragment(text):
            continue
        kept.append(text)
    return kept


def _is_junk_line(line: str) -> bool:
    return bool(_CAPTION.search(line)) or any(p.match(line) for p in _JUNK_LINES)


def _strip_dateline(text: str) -> str:
    for pattern in _DATELINES:
        text = pattern.sub("", text, count=1)
    return text.strip()


def _is_quote_fragment(text: str) -> bool:
    return len(text) < MIN_QUOTE_PARAGRAPH_CHARS and text[0] in _QUOTE_OPENERS
